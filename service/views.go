package service

import (
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/money"
)

// The functions here turn stored records into the API's shapes.

func accountView(a *coffer.Account) *api.Account {
	emails := a.NotificationEmails
	if emails == nil {
		emails = []string{}
	}
	md := a.Metadata
	if md == nil {
		md = map[string]string{}
	}
	return &api.Account{ID: a.ID, Object: "account", Name: a.Name, Email: a.Email,
		NotificationEmails: emails, Currency: string(a.Currency), Status: string(a.Status),
		BillingMode: a.BillingMode, PostpaidSince: optTime(a.PostpaidSince), MinBalance: a.MinBalance, CreditLimit: a.CreditLimit, TrustTier: a.TrustTier,
		Metadata: md, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt}
}

func subaccountView(s *coffer.Subaccount) *api.Subaccount {
	return &api.Subaccount{ID: s.ID, Object: "subaccount", AccountID: s.AccountID, Name: s.Name,
		Enabled: s.Enabled && !s.Deleted, AuthID: s.AuthID, CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt}
}

func grantView(l *ledger.Lot) *api.Grant {
	return &api.Grant{ID: l.ID, Object: "grant", AccountID: l.AccountID, Kind: string(l.Kind), Unit: l.Unit,
		Amount: l.Amount, Remaining: l.Remaining, Category: string(l.Category), Priority: l.Priority,
		EffectiveAt: l.EffectiveAt, ExpiresAt: optTime(l.ExpiresAt), Application: string(l.Application),
		Status: string(l.Status), Origin: string(l.Origin), Reason: l.Reason, Actor: l.Actor, CreatedAt: l.CreatedAt}
}

func txnView(t *ledger.Txn, currency money.Currency) api.Transaction {
	v := api.Transaction{ID: t.ID, Object: "transaction", AccountID: t.AccountID, Type: string(t.Type),
		Amount: t.Amount, BalanceAfter: t.BalanceAfter, Currency: string(currency), GrantID: t.LotID,
		HoldID: t.HoldID, EventID: t.EventID, SubaccountID: t.SubaccountID, Unit: t.Unit,
		Description: t.Description, Metadata: t.Metadata, Actor: t.Actor, Reason: t.Reason,
		CreatedAt: t.CreatedAt, Postings: make([]api.Posting, 0, len(t.Postings))}
	if t.Unit != "" {
		q := t.Quantity
		v.Quantity = &q
		if t.Type == ledger.TxnDebit {
			p := t.UnitPrice
			v.UnitPrice = &p
		}
	}
	for _, p := range t.Postings {
		v.Postings = append(v.Postings, api.Posting{Book: string(p.Book), AccountID: p.AccountID,
			GrantID: p.LotID, Asset: p.Asset, Amount: p.Amount})
	}
	return v
}

func holdView(h *ledger.Hold) *api.Hold {
	v := &api.Hold{ID: h.ID, Object: "hold", AccountID: h.AccountID, SubaccountID: h.SubaccountID,
		EventID: h.EventID, Description: h.Description, Amount: h.Amount, Status: string(h.Status),
		TransactionID: h.TxnID, ExpiresAt: h.ExpiresAt, CreatedAt: h.CreatedAt, FinishedAt: optTime(h.FinishedAt)}
	if h.Status == ledger.HoldCaptured {
		c := h.Captured
		v.Captured = &c
	}
	return v
}

func balanceView(id string, b ledger.Balance, at time.Time) *api.Balance {
	credits := map[string]money.Amount{}
	for k, v := range b.Credits {
		credits[string(k)] = v
	}
	return &api.Balance{Object: "balance", AccountID: id, Currency: string(b.Currency), Balance: b.Balance,
		Available: b.Available, Held: b.Held, Debt: b.Debt, MinBalance: b.MinBalance, Credits: credits,
		Units: b.Units, ExpiringSoon: b.ExpiringSoon, GiftedRemaining: b.GiftedRemaining,
		BalanceWithCredits: b.BalanceWithCredits, Pending: b.Pending, Status: string(b.Status), At: at}
}

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// list builds a page of API items from stored records.
func list[R, V any](items []R, more bool, view func(R) V) *api.List[V] {
	out := &api.List[V]{Data: make([]V, 0, len(items)), HasMore: more}
	for _, it := range items {
		out.Data = append(out.Data, view(it))
	}
	return out
}
