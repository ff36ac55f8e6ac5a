package main

import (
	"fmt"

	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/money"
	"github.com/cofferdev/coffer/service"
)

// ledgerFlags are the ledger's deployment settings of `coffer serve`.
func ledgerFlags(cfg *service.Config) []flagDef {
	return []flagDef{
		{name: "default-credit-limit", env: "COFFER_DEFAULT_CREDIT_LIMIT", value: &creditLimitValue{cfg.DefaultCreditLimit},
			usage: "credit limit of accounts created without one: the lowest balance served usage may reach, zero or negative (env COFFER_DEFAULT_CREDIT_LIMIT)"},
	}
}

// creditLimitValue is a flag holding a balance level: zero or negative.
type creditLimitValue struct{ p *money.Amount }

func (v *creditLimitValue) String() string { return v.p.String() }
func (v *creditLimitValue) Type() string   { return "amount" }
func (v *creditLimitValue) Set(s string) error {
	a, err := money.Parse(s)
	if err != nil {
		return err
	}
	if a > 0 || a < ledger.NoCreditLimit {
		return fmt.Errorf("must be a balance between %s and 0, such as -1000.00", ledger.NoCreditLimit)
	}
	*v.p = a
	return nil
}
