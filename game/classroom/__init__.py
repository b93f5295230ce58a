"""Classroom mode: a level on a projector, the selected unit's update rule with its live numbers,
races of optimizers from the same starts, and autoplay through the campaign's lessons."""
