"""Which rows of a loaded knowledge-base index belong to a tenant, worked out once each."""

from __future__ import annotations

import numpy as np


class TenantMasks:
    """Boolean row masks per tenant over a fixed array of row tenants, cached on first use."""

    def __init__(self, tenants: np.ndarray) -> None:
        """Masks over ``tenants``, one tenant name per row."""
        self.tenants = tenants
        self._masks: dict[str, np.ndarray] = {}

    def __call__(self, tenant: str) -> np.ndarray:
        """The mask of the rows of ``tenant``."""
        mask = self._masks.get(tenant)
        if mask is None:
            mask = self.tenants == tenant
            self._masks[tenant] = mask
        return mask
