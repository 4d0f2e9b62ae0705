CREATE INDEX payments_provider_provider_ref_idx ON payments (provider, provider_ref);
