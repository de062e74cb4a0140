"""The turns `bench.load_growth` measures before each mark of a conversation."""

from __future__ import annotations

from bench.load_growth import Window, window_spans


def test_each_mark_is_measured_over_the_window_of_turns_ending_at_it():
    assert window_spans([20, 200, 800], 40) == {20: (1, 10), 200: (61, 100), 800: (361, 400)}


def test_a_mark_earlier_than_the_window_covers_the_whole_conversation_so_far():
    assert window_spans([4], 10) == {4: (1, 2)}


def test_pooled_windows_give_cpu_per_turn_over_every_turn_pooled():
    early = Window(cpu=0.2, latencies=[0.02] * 10)
    early.add(Window(cpu=0.4, latencies=[0.04] * 10))
    cpu, latency = early.figures()
    assert round(cpu, 6) == 0.03 and latency == 0.03
