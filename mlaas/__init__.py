"""MLaaS core library: every piece of platform logic lives here, once.

Services, DAGs and the CLI are thin adapters over this package. Nothing here has side effects at
import time; heavy libraries (mlflow, feast, great_expectations, optuna, lightgbm) are imported
inside the functions that need them.
"""

__version__ = "0.1.0"
