"""The city's sizing profile: model, loading with located errors, and starter templates."""

from aicommons.profile.load import load_profile, load_profile_text
from aicommons.profile.model import CityProfile

__all__ = ["CityProfile", "load_profile", "load_profile_text"]
