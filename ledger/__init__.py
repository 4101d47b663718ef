"""The shared core of bankdash: settings, the operational store, money and currencies.

Imports nothing else of ours (see ARCHITECTURE.md, "Packages and the direction of imports").
"""
