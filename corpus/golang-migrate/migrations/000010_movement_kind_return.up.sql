ALTER TYPE movement_kind ADD VALUE IF NOT EXISTS 'return';
