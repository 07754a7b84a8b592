"""The prediction log: what one request stores (`blocks`), the SQL that stores it (`sql`), the
writer thread with its disk spool (`writer`, file format in `spool`)."""

from mlaas.serving.predlog.blocks import BLOCK_ROWS, LogBlock
from mlaas.serving.predlog.sql import insert_ignoring_duplicates
from mlaas.serving.predlog.writer import PredictionLogWriter

__all__ = ["BLOCK_ROWS", "LogBlock", "PredictionLogWriter", "insert_ignoring_duplicates"]
