"""Admission control: bounded concurrency, bounded queue, immediate refusal beyond it, and a
queued call that gives up at its deadline or when its caller leaves."""

import threading
import time

import pytest
from planopt.server.admission import Admission, QueueTimeout, Shed


def always() -> bool:
    return True


def test_workers_then_queue_then_shed():
    adm = Admission(workers=1, queue=1, poll_s=0.005)
    adm.enter(None, always)  # computes
    assert (adm.admitted, adm.running) == (1, 1)
    entered = threading.Event()

    def queued():
        adm.enter(None, always)
        entered.set()

    t = threading.Thread(target=queued)
    t.start()
    time.sleep(0.05)
    assert not entered.is_set() and adm.admitted == 2  # waiting in the queue
    t0 = time.monotonic()
    with pytest.raises(Shed):
        adm.enter(None, always)
    assert time.monotonic() - t0 < 0.05  # refused without waiting
    adm.leave()  # the first finishes: the queued call takes the slot
    t.join(2)
    assert entered.is_set() and (adm.admitted, adm.running) == (1, 1)
    adm.leave()
    assert (adm.admitted, adm.running) == (0, 0)


def test_queued_call_gives_up_at_its_deadline_and_frees_its_place():
    adm = Admission(workers=1, queue=1, poll_s=0.005)
    adm.enter(None, always)
    t0 = time.monotonic()
    with pytest.raises(QueueTimeout) as info:
        adm.enter(time.monotonic() + 0.1, always)
    assert not info.value.cancelled
    assert 0.09 <= time.monotonic() - t0 < 1.0
    assert adm.admitted == 1  # its queue place is free again
    adm.leave()


def test_queued_call_gives_up_when_its_caller_leaves():
    adm = Admission(workers=1, queue=2, poll_s=0.005)
    adm.enter(None, always)
    gone = threading.Event()
    threading.Timer(0.05, gone.set).start()
    with pytest.raises(QueueTimeout) as info:
        adm.enter(None, lambda: not gone.is_set())
    assert info.value.cancelled and adm.admitted == 1
    adm.leave()


def test_rejects_nonsense_sizes():
    with pytest.raises(ValueError):
        Admission(workers=0, queue=1)


def test_call_that_would_queue_past_its_deadline_is_refused_at_once():
    adm = Admission(workers=1, queue=4, poll_s=0.005)
    adm.record("slow", 1.0)  # recent calls of this kind took 1 s
    adm.enter(None, always, "slow")  # computing
    queued = threading.Thread(target=adm.enter, args=(None, always, "slow"))  # no deadline: admitted
    queued.start()
    time.sleep(0.05)
    assert adm.admitted == 2
    t0 = time.monotonic()
    with pytest.raises(Shed, match="deadline"):
        adm.enter(time.monotonic() + 0.5, always, "slow")  # ~2 s of work ahead, 0.5 s to live
    assert time.monotonic() - t0 < 0.05
    admitted = threading.Event()

    def patient():  # enough time left: admitted, and waits its turn
        adm.enter(time.monotonic() + 60, always, "slow")
        admitted.set()

    t = threading.Thread(target=patient)
    t.start()
    time.sleep(0.05)
    assert adm.admitted == 3
    adm.leave()  # first done -> the queued one runs
    queued.join(2)
    adm.leave()  # queued done -> patient runs
    t.join(2)
    assert admitted.is_set()
    adm.leave()
    assert adm.admitted == 0


def test_queue_is_first_in_first_out():
    adm = Admission(workers=1, queue=4, poll_s=0.5)
    adm.enter(None, always)
    order = []

    def waiter(name):
        adm.enter(None, always)
        order.append(name)

    threads = []
    for name in "abcd":
        t = threading.Thread(target=waiter, args=(name,))
        t.start()
        threads.append(t)
        time.sleep(0.03)  # arrive in this order
    for _ in range(4):
        adm.leave()
        time.sleep(0.03)
    for t in threads:
        t.join(2)
    assert order == list("abcd")
    adm.leave()
    assert (adm.admitted, adm.running) == (0, 0)
