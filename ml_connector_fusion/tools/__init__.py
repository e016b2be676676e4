from . import fusion
