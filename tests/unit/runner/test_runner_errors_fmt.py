"""Error texts: banners, `error: <repr>`, runner frames removed."""

from __future__ import annotations

from runner import errors_fmt


def test_format_error_layout() -> None:
    try:
        raise ValueError("bad", 1)
    except ValueError as e:
        text = errors_fmt.format_error(e)
    lines = text.splitlines()
    assert lines[0] == "error: ValueError('bad', 1)"
    assert lines[1] == ""
    assert lines[2] == "Traceback (most recent call last):"
    assert lines[-1] == "ValueError: ('bad', 1)"


def test_banners() -> None:
    text = errors_fmt.format_error(ModuleNotFoundError("No module named 'x'"))
    assert text.startswith(
        "\n" + "=" * 103 + "\nThe below error means you need to add a package"
    )
    assert "Self hosted: add module to AutoKitteh virtual environment. \n" in text
    assert "requirements.txt" in text
    text = errors_fmt.format_error(TypeError("cannot pickle '_thread.lock' object"))
    assert "@autokitteh.activity decorator" in text
    assert text.rstrip().endswith("TypeError: cannot pickle '_thread.lock' object")
    assert errors_fmt.banners("plain") == ""


def test_runner_frames_are_removed() -> None:
    from runner import call

    def boom() -> None:
        raise KeyError("k")

    try:
        call._ak_call(boom)
    except KeyError as e:
        text = errors_fmt.format_error(e)
    assert "in boom" in text
    assert "runner/call.py" not in text


def test_pad_exception_args() -> None:
    class X(Exception):
        def __init__(self, a: int, b: int, *, c: int = 0) -> None:
            super().__init__(a)
            self.b = b

    class Own(Exception):
        def __init__(self, a: int, b: int) -> None:
            super().__init__(a)
            self.b = b

        def __reduce__(self) -> tuple[object, ...]:
            return (Own, (self.args[0], self.b))

    x = X(1, 2)
    errors_fmt.pad_exception_args(x)
    assert x.args == (1, 2)  # positional parameters only (not keyword-only c)
    y = X.__new__(X)
    y.args = (1,)
    errors_fmt.pad_exception_args(y)
    assert y.args == (1, None)  # no attribute b: None
    own = Own(1, 2)
    errors_fmt.pad_exception_args(own)
    assert own.args == (1,)  # rebuilds itself: left alone
    v = ValueError("v")
    errors_fmt.pad_exception_args(v)  # a built-in __init__: unchanged
    assert v.args == ("v",)
