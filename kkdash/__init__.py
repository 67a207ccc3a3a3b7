"""kkdash: monitoring the Khon Kaen "Moral Province" declaration campaign."""

__version__ = "0.1.0"
