"""A realist agent-based model of the Syrian war, 2011-2025.

Six states (Iran, Russia, Syria, Turkey, Israel, the United States) choose action portfolios on
realist payoffs (survival, balancing, influence, minus costs); armed forces fight over Syria's 14
governorates; cooperation between the states emerges from what they do. See README.md.
"""

__version__ = "0.1.0"
