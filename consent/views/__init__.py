"""Public and self-service pages of the consent app."""
