from django.core.management.base import BaseCommand

from suishoupai.ops.recovery import requeue_lost_photo_copies


class Command(BaseCommand):
    help = (
        "Queue again the photo copies whose task died with a stopped consumer. Run it just "
        "before starting the only task consumer (serve does this itself); with several "
        "consumers running, leave it to the periodic sweep."
    )

    def handle(self, *args, **options):
        ids = requeue_lost_photo_copies(consumer_died_at=None)
        self.stdout.write(f"queued {len(ids)} photo copies again")
