import logging

from assistant.logging_setup import LOG_NAME, attach_file, configure


def test_records_held_before_the_file_is_attached_are_written_to_it(tmp_path):
    log_file = configure(tmp_path, hold=True)
    assert log_file == tmp_path / LOG_NAME
    logging.getLogger("assistant.test").error("the database was moved aside")
    assert not log_file.exists()  # nothing touches the disk before the first paint
    assert attach_file(log_file) == log_file
    logging.getLogger("assistant.test").warning("after the first paint")
    for handler in logging.getLogger().handlers:
        handler.flush()
    lines = log_file.read_text(encoding="utf-8").splitlines()
    assert [line.split(": ", 1)[1] for line in lines] == ["the database was moved aside", "after the first paint"]
    assert "ERROR assistant.test" in lines[0]


def test_attaching_twice_writes_each_record_once(tmp_path):
    log_file = configure(tmp_path)
    logging.getLogger("assistant.test").warning("once")
    assert attach_file(log_file) == log_file
    for handler in logging.getLogger().handlers:
        handler.flush()
    assert log_file.read_text(encoding="utf-8").count("once") == 1


def test_an_unwritable_log_folder_is_not_fatal(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert configure(blocker / "logs") is None
