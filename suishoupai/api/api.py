from ninja import NinjaAPI

api = NinjaAPI(title="Suishoupai API", version="1")
