"""The system log and access log files on the data partition: rotation keeps
them bounded and reading them back gives whole lines."""

from __future__ import annotations

import logging

from herald.environment import Environment
from herald.system import logs


def test_logs_rotate_and_read_back_whole(tmp_path):
    env = Environment("development", tmp_path, "unix:///nowhere", tmp_path / "identity")
    root, access = logging.getLogger(), logging.getLogger(logs.ACCESS_LOGGER)
    before = {logger: logger.handlers[:] for logger in (root, access)}
    logs.setup("test", env)
    log = logging.getLogger("test.rotation")
    try:
        for i in range(50):
            log.warning("line %d %s", i, "x" * 40)
        assert logs.rotate(env, max_bytes=1000) == ["system.log"]
        log.warning("after rotation")
        text = logs.read(env, logs.SYSTEM)
        assert "line 0 " in text and "line 49 " in text and text.rstrip().endswith("after rotation")
        assert logs.read(env, logs.SYSTEM, text="LINE 7 ").count("\n") == 1
    finally:
        for logger, handlers in before.items():
            for handler in logger.handlers[:]:
                if handler not in handlers:
                    logger.removeHandler(handler)
                    handler.close()
