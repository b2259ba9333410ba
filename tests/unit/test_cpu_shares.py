"""How a multi-process server splits its CPUs (``multiprocess.cpu_shares``); expected shares
worked out by hand."""

import pytest
from planopt.server.multiprocess import cpu_shares


def test_two_processes_on_two_cpus_get_one_each():
    assert cpu_shares([0, 1], 2) == [{0}, {1}]


def test_uneven_split_gives_the_first_shares_one_more_and_keeps_them_contiguous():
    # 7 CPUs over 3 processes: 3 + 2 + 2, in the CPUs' order (whatever order they come in)
    assert cpu_shares([6, 0, 5, 1, 4, 2, 3], 3) == [{0, 1, 2}, {3, 4}, {5, 6}]


def test_non_contiguous_cpu_ids_are_split_as_given():
    assert cpu_shares([2, 3, 8, 9], 2) == [{2, 3}, {8, 9}]


def test_more_processes_than_cpus_share_cpus_round_robin():
    assert cpu_shares([4, 5], 3) == [{4}, {5}, {4}]


def test_one_process_keeps_every_cpu():
    assert cpu_shares([0, 1, 2], 1) == [{0, 1, 2}]


@pytest.mark.parametrize("cpus, processes", [([], 2), ([0, 1], 0)])
def test_nothing_to_share_is_an_error(cpus, processes):
    with pytest.raises(ValueError):
        cpu_shares(cpus, processes)
