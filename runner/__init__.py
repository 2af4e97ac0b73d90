"""The ak runner: runs user workflow code in the user's interpreter.

Standard library only (it shares the interpreter with the user's packages). Its
modules are always imported as ``runner.<name>`` so that user files called
``main.py`` or ``loader.py`` never clash with them. The SDK that user code imports
lives in ``runner/autokitteh`` and is exposed as the top-level ``autokitteh``.
"""
