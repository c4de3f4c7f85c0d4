-- Seed discount codes (idempotent: an existing code is left as it is).
-- WELCOME10: 10% off the subtotal. TAKE5: 5.00 off in USD and in EUR.
INSERT INTO "discount_codes" ("code", "kind", "percent_off", "active")
VALUES ('WELCOME10', 'PERCENT', 10, true),
       ('TAKE5', 'FIXED', NULL, true)
ON CONFLICT ("code") DO NOTHING;

INSERT INTO "discount_code_amounts" ("code", "currency", "amount_minor")
VALUES ('TAKE5', 'USD', 500),
       ('TAKE5', 'EUR', 500)
ON CONFLICT ("code", "currency") DO NOTHING;
