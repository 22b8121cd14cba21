"""`python -m pingan.fraud.banksim --bank CODE --ledger FILE --keys LIST --port N`."""

import typer

from pingan.fraud.cli import banksim

if __name__ == "__main__":
    typer.run(banksim)
