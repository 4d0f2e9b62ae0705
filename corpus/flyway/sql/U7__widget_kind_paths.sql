-- Enum labels cannot be dropped; rebuild widget_kind without 'paths'.
DELETE FROM widgets WHERE kind = 'paths';
ALTER TYPE widget_kind RENAME TO widget_kind_old;
CREATE TYPE widget_kind AS ENUM ('trend', 'funnel', 'retention', 'table');
ALTER TABLE widgets ALTER COLUMN kind TYPE widget_kind USING kind::text::widget_kind;
DROP TYPE widget_kind_old;
