"""The sign-in guard's parts alone, on a clock the test moves: the throttle's growing delays, password sessions that
expire, the flags given to login cookies."""

from __future__ import annotations

from ui.login import ExpiringTokens, Throttle, throttle_keys, too_many, with_flags


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_after_five_failures_each_new_one_doubles_the_wait_up_to_the_cap():
    clock = Clock()
    throttle = Throttle(free=5, delay_s=1, max_delay_s=8, clock=clock)
    keys = throttle_keys("Marie ", "203.0.113.7")
    waits = []
    for _ in range(9):
        assert throttle.wait_s(keys) == 0  # each attempt made once the previous wait is over
        throttle.failed(keys)
        waits.append(throttle.wait_s(keys))
        clock.now += waits[-1]
    assert waits == [0, 0, 0, 0, 1, 2, 4, 8, 8]


def test_the_address_is_slowed_across_accounts_and_a_success_forgets_only_its_account():
    clock = Clock()
    throttle = Throttle(free=5, delay_s=1, max_delay_s=60, clock=clock)
    for number in range(5):  # one name tried after another from one address
        throttle.failed(throttle_keys(f"agent{number}", "203.0.113.7"))
    assert throttle.wait_s(throttle_keys("marie", "203.0.113.7")) == 1  # even for an account never tried
    assert throttle.wait_s(throttle_keys("marie", "198.51.100.2")) == 0  # from elsewhere: free
    clock.now += 1
    throttle.failed(throttle_keys("marie", "198.51.100.2"))
    throttle.succeeded(throttle_keys("marie", "198.51.100.2")[0])
    throttle.failed(throttle_keys("agent9", "203.0.113.7"))
    assert throttle.wait_s(throttle_keys("marie", "203.0.113.7")) == 2  # the address still remembers its failures


def test_the_wait_is_said_in_french_rounded_up():
    assert "réessayez dans 3 s" in too_many(2.1)
    assert "réessayez dans 5 min" in too_many(299)


def test_a_password_session_is_forgotten_once_it_is_older_than_the_limit():
    clock = Clock()
    tokens = ExpiringTokens(max_age_s=3600, clock=clock)
    tokens["jeton-1"] = "marie"
    clock.now += 3599
    assert tokens.get("jeton-1") == "marie"
    tokens["jeton-2"] = "paul"
    clock.now += 1
    assert tokens.get("jeton-1") is None and "jeton-1" not in tokens
    assert list(tokens) == ["jeton-2"] and len(tokens) == 1


def test_login_cookies_become_lax_and_http_only_and_secure_over_https():
    gradio = "access-token-abc=jeton; Path=/; SameSite=none; Secure; HttpOnly"
    assert with_flags(gradio, secure=False) == "access-token-abc=jeton; Path=/; HttpOnly; SameSite=Lax"
    assert with_flags("ars_session=x; path=/; Max-Age=36000; httponly; samesite=lax", secure=True) == (
        "ars_session=x; path=/; Max-Age=36000; HttpOnly; SameSite=Lax; Secure")
