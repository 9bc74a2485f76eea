"""Long-lived processes (gunicorn workers, `flask export`, `flask scheduler`) freeze what
start-up made out of the collector's walks and let young objects live longer."""
import gc

from monitor import gctuning


def test_settle_freezes_start_up_objects_and_raises_the_young_threshold():
    before = gc.get_threshold()
    try:
        kept = [object() for _ in range(10)] + [{"a": [1]}]  # live now: frozen by settle
        gctuning.settle()
        assert gc.get_freeze_count() >= len(kept)
        assert gc.get_threshold() == (gctuning.YOUNG_THRESHOLD, before[1], before[2])
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
