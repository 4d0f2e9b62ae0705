ALTER TYPE widget_kind ADD VALUE IF NOT EXISTS 'paths';
