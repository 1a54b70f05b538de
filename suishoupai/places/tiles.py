"""Where a page's map tiles come from (settings.MAP_TILES), for every page with a map."""

from django.conf import settings

# The map: tile URL template, attribution, the coordinate system the tiles are drawn in.
TILES = {
    "none": None,
    "osm": {
        "url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        "subdomains": "",
        "attribution": "© OpenStreetMap",
        "crs": "wgs84",
    },
    "amap": {
        "url": "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8"
        "&x={x}&y={y}&z={z}",
        "subdomains": "1234",
        "attribution": "© 高德地图",
        "crs": "gcj02",
    },
    "tianditu": {
        "url": "https://t{s}.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
        "&LAYER=vec&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}"
        "&TILECOL={x}&tk={key}",
        "labels": "https://t{s}.tianditu.gov.cn/cva_w/wmts?SERVICE=WMTS&REQUEST=GetTile"
        "&VERSION=1.0.0&LAYER=cva&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}"
        "&TILEROW={y}&TILECOL={x}&tk={key}",
        "subdomains": "01234567",
        "attribution": "© 天地图",
        "crs": "wgs84",
    },
}


def map_config() -> dict:
    """The tiles for the pages' scripts: None draws district outlines on a plain ground."""
    tiles = TILES[settings.MAP_TILES]
    if tiles is not None:
        tiles = {k: v.replace("{key}", settings.TIANDITU_KEY) for k, v in tiles.items()}
    return {"tiles": tiles}
