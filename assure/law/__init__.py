"""The law engine: regimes, classification, catalogues, plan, gap and transition.

Pure functions over data: nothing here reads a file it was not given or writes anything.
"""
