# The engine's refusals, as a person reads them.
