DO $$
BEGIN
    -- empty strings crept in through the old signup form
    UPDATE accounts SET tax_id = NULL WHERE tax_id = '';
END;
$$;

-- country is now derived from the tax id / payment method
ALTER TABLE accounts DROP COLUMN country;
