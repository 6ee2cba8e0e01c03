"""The tier guard (``driftwatch_testing.tiers``) keeps the fast tier fast: a test without
``@pytest.mark.slow`` that starts a process, listens on a socket or sleeps over 2 s fails, saying
which marker to add; the same test marked ``slow`` passes, and so does a short sleep.

The guarded tests run in an inner pytest session in a child process: an inner session in this
process would unpatch the guard of this one when it ends.
"""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]
pytestmark = pytest.mark.slow  # starts a pytest process

INNER = """
import socket
import subprocess
import time

import pytest


def starts_a_process():
    subprocess.run(["true"], check=True)


def listens_on_a_socket():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()


def sleeps_3_s_in_small_steps():
    for _ in range(30):
        time.sleep(0.1)


def test_starts_a_process():
    starts_a_process()


def test_listens_on_a_socket():
    listens_on_a_socket()


def test_sleeps_3_s():
    sleeps_3_s_in_small_steps()


@pytest.mark.slow
def test_slow_starts_a_process():
    starts_a_process()


@pytest.mark.slow
def test_slow_listens_on_a_socket():
    listens_on_a_socket()


@pytest.mark.slow
def test_slow_sleeps_3_s():
    sleeps_3_s_in_small_steps()


def test_sleeps_a_tenth_of_a_second():
    time.sleep(0.1)
"""


def test_unmarked_tests_that_start_a_process_listen_or_sleep_fail_naming_the_marker(pytester):
    pytester.makeini("[pytest]\nmarkers =\n    slow: slow\n    e2e: a browser\n")
    pytester.makepyfile(test_inner=INNER)
    result = pytester.runpytest_subprocess(
        "-p", "driftwatch_testing", "-p", "no:cacheprovider", "-rfp", "--strict-markers"
    )
    result.assert_outcomes(passed=4, failed=3)
    refused = "E *.TierViolation: test_inner.py::"
    result.stdout.fnmatch_lines_random(
        [
            f"{refused}test_starts_a_process starts a process (*true*): mark it @pytest.mark.slow",
            f"{refused}test_listens_on_a_socket listens on a socket (starts a server): mark it @pytest.mark.slow",
            f"{refused}test_sleeps_3_s sleeps 2.* s in all: mark it @pytest.mark.slow",
            "FAILED test_inner.py::test_starts_a_process - *",
            "FAILED test_inner.py::test_listens_on_a_socket - *",
            "FAILED test_inner.py::test_sleeps_3_s - *",
            "PASSED test_inner.py::test_slow_starts_a_process",
            "PASSED test_inner.py::test_slow_listens_on_a_socket",
            "PASSED test_inner.py::test_slow_sleeps_3_s",
            "PASSED test_inner.py::test_sleeps_a_tenth_of_a_second",
        ]
    )
