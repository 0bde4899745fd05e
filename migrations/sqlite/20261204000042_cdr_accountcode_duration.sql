-- "Longest calls of one account" (accountcode=X&sort=-duration) walks this index in order;
-- with only cdr_duration it passed every long call of the other accounts first.
CREATE INDEX cdr_accountcode_duration ON cdr(accountcode, duration);
