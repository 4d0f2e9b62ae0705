-- The iOS SDK sent 'IOS' / 'Ios' for a while.
UPDATE events SET source = lower(source);
