"""The rules stage, pure (no I/O): each form checked, one submission per unit, scores totalled, ranked and banded,
the council's appraisal judged, an earlier year's results matched.
"""
