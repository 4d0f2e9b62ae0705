-- Reservations are rebuilt from open orders by the allocator on its next run.
UPDATE stock_levels SET reserved = 0;
