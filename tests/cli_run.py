"""Running main.main in this process, as the command line would, and reading what it printed."""
import main


def cli(capsys, *argv) -> tuple:
    """(exit status, stdout, stderr) of ``python main.py *argv``, run in this process."""
    capsys.readouterr()
    try:
        status = main.main(list(argv))
    except SystemExit as stop:                      # argparse's own exits (a bad flag, --help)
        status = stop.code if isinstance(stop.code, int) else 2
    out, err = capsys.readouterr()
    return status, out, err


def one_line_error(result, *needles) -> str:
    """Exit status 2 and exactly one line on stderr holding each of ``needles``; returns the line."""
    status, out, err = result
    assert status == 2, (status, out, err)
    lines = err.splitlines()
    assert len(lines) == 1 and err.endswith("\n"), err
    for n in needles:
        assert n in lines[0], (n, lines[0])
    return lines[0]
