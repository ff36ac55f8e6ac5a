package service

import (
	"context"
	"net/http"
	"strconv"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/committer"
	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/store"
)

// MaxBatchDebits bounds the number of debits in one batch request.
const MaxBatchDebits = 10000

// Debit charges usage to an account. It is idempotent by the usage event's
// id: a repeat answers with the first debit and changes nothing.
func (s *Service) Debit(ctx context.Context, c Call, in api.DebitCreate) (*api.Debit, error) {
	r, err := s.debitRequest(ctx, c.Caller, in, "")
	if err != nil {
		return nil, err
	}
	r.Idempotency = idemKey(c)
	val, err := s.submit(ctx, r)
	return decodeReplay[api.Debit](val, err)
}

// DebitBatch applies many debits in one request. Each is answered on its
// own, in order: a refused debit does not disturb the others. They reach
// the committer together, so they share store transactions. The batch's
// answer is stored after the fact (Once): each debit is already idempotent
// by its event id, so losing that row to a crash loses nothing.
func (s *Service) DebitBatch(ctx context.Context, c Call, in api.DebitBatch) (*api.DebitBatchResult, error) {
	if len(in.Debits) == 0 {
		return nil, coffer.Invalid("debits", "must hold at least one debit")
	}
	if len(in.Debits) > MaxBatchDebits {
		return nil, coffer.Invalid("debits", "holds %d debits; at most %d are allowed per request", len(in.Debits), MaxBatchDebits)
	}
	out := &api.DebitBatchResult{Data: make([]api.DebitBatchItem, len(in.Debits))}
	waits := make([]<-chan committer.Reply, len(in.Debits))
	for i, d := range in.Debits {
		r, err := s.debitRequest(ctx, c.Caller, d, paramPrefix(i))
		if err == nil {
			waits[i], err = s.committer.Enqueue(r)
		}
		if err != nil {
			out.Data[i] = itemError(err)
		}
	}
	for i, w := range waits {
		if w == nil {
			continue
		}
		var rep committer.Reply
		select {
		case rep = <-w:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		d, err := decodeReplay[api.Debit](rep.Val, rep.Err)
		if err != nil {
			out.Data[i] = itemError(err)
			continue
		}
		out.Data[i] = api.DebitBatchItem{Status: http.StatusCreated, Debit: d}
	}
	return out, nil
}

func paramPrefix(i int) string { return "debits[" + strconv.Itoa(i) + "]." }

// itemError turns an error into a batch item. An internal error's text is
// not shown; the HTTP layer logs errors it answers for, but a batch item
// is answered here, so the message stays generic.
func itemError(err error) api.DebitBatchItem {
	code := coffer.ErrorCode(err)
	d := &api.ErrorDetail{Type: ErrorType(code), Code: code, Message: "internal error"}
	if ce, ok := err.(*coffer.Error); ok {
		d.Message, d.Param, d.Details = ce.Message, ce.Param, ce.Details
	}
	return api.DebitBatchItem{Status: coffer.HTTPStatus(code), Error: d}
}

// ErrorType groups error codes into the broad types the API reports.
func ErrorType(code string) string {
	switch code {
	case coffer.EUnauthenticated:
		return "authentication_error"
	case coffer.EForbidden, coffer.ESubaccountDisabled:
		return "permission_error"
	case coffer.EInsufficientBalance, coffer.ECreditLimitReached, coffer.EAccountSuspended, coffer.EAccountClosed:
		return "balance_error"
	case coffer.EOverloaded, coffer.EInternal, coffer.EGatewayUnavailable:
		return "api_error"
	case coffer.EPaymentFailed:
		return "payment_error"
	}
	return "invalid_request_error"
}

// debitRequest validates a debit and builds its committer request. param
// prefixes field names in errors ("debits[3].amount") within a batch.
func (s *Service) debitRequest(ctx context.Context, caller *Caller, in api.DebitCreate, param string) (*committer.Request, error) {
	accountID, subID, err := s.usageTarget(ctx, caller, in.AccountID, in.SubaccountID, param)
	if err != nil {
		return nil, err
	}
	if err := checkEventID(param+"event_id", in.EventID, true); err != nil {
		return nil, err
	}
	if in.AllowNegative && caller.Role == coffer.RoleAccount {
		// Served usage is the gateway's to report (a usage key or a
		// subaccount); an account's own key could otherwise run its
		// balance into debt the operator never served.
		e := coffer.Errorf(coffer.EForbidden, "allow_negative is for usage already served, reported by the gateway with a usage key or a subaccount; an account key may only send strict debits")
		e.Param = param + "allow_negative"
		return nil, e
	}
	d := ledger.Debit{EventID: in.EventID, AllowNegative: in.AllowNegative, SubaccountID: subID,
		Description: in.Description, Metadata: in.Metadata, Actor: caller.Actor()}
	switch {
	case in.Amount != nil && in.Unit != "":
		return nil, coffer.Invalid(param+"amount", "cannot be combined with unit; send either amount, or unit with quantity")
	case in.Amount != nil:
		if *in.Amount <= 0 {
			return nil, coffer.Invalid(param+"amount", "must be greater than zero, got %s", *in.Amount)
		}
		if in.Quantity != nil || in.UnitPrice != nil {
			return nil, coffer.Invalid(param+"quantity", "and unit_price go with unit, not with amount")
		}
		d.Amount = *in.Amount
	case in.Unit != "":
		if err := checkUnit(param+"unit", in.Unit); err != nil {
			return nil, err
		}
		if in.Quantity == nil || *in.Quantity <= 0 {
			return nil, coffer.Invalid(param+"quantity", "is required with unit and must be greater than zero")
		}
		if in.UnitPrice != nil && *in.UnitPrice < 0 {
			return nil, coffer.Invalid(param+"unit_price", "must not be negative")
		}
		d.Unit, d.Quantity = in.Unit, *in.Quantity
		if in.UnitPrice != nil {
			d.UnitPrice = *in.UnitPrice
		}
	default:
		return nil, coffer.Invalid(param+"amount", "is required: send amount, or unit with quantity")
	}
	if err := checkText(param+"description", in.Description, maxText); err != nil {
		return nil, err
	}
	if err := checkMetadata(param, in.Metadata); err != nil {
		return nil, err
	}
	key := store.EventKey{AccountID: accountID, EventID: in.EventID}
	return &committer.Request{AccountID: accountID, DebitKey: &key, Kind: committer.KindDebit,
		Run: func(b *committer.Batch, st *ledger.State) (any, error) {
			if prev := b.Debit(key); prev != nil {
				return replayDebit(prev, d, st, b.Env)
			}
			e, err := st.Debit(b.Env, d)
			if e != nil {
				b.Record(e) // a refusal may still raise an event (the credit limit's)
			}
			if err != nil {
				return nil, err
			}
			return debitView(e.Txn, st, b.Env, false), nil
		}}, nil
}

// replayDebit answers a debit whose event was already debited: with the
// first debit if the request is the same, else with a conflict, because
// silently ignoring a different amount under a reused event id hides a bug
// in the caller.
func replayDebit(prev *ledger.Txn, d ledger.Debit, st *ledger.State, env ledger.Env) (any, error) {
	same := prev.Unit == d.Unit && prev.Quantity == d.Quantity && prev.UnitPrice == d.UnitPrice &&
		(d.Unit != "" || -prev.Amount == d.Amount)
	if !same {
		return nil, coffer.Errorf(coffer.EConflict,
			"event %s was already debited (transaction %s) with different figures; a new charge needs a new event_id", d.EventID, prev.ID)
	}
	return debitView(prev, st, env, true), nil
}

func debitView(t *ledger.Txn, st *ledger.State, env ledger.Env, replayed bool) *api.Debit {
	b := st.Balance(env.Now)
	return &api.Debit{Object: "debit", Transaction: txnView(t, st.Account.Currency), Balance: b.Balance,
		Available: b.Available, Replayed: replayed}
}

// usageTarget works out which account a debit or hold charges and which
// subaccount it is tagged with. A subaccount charges its parent; a key
// names the account and may tag one of its subaccounts.
func (s *Service) usageTarget(ctx context.Context, caller *Caller, accountID, subID, param string) (string, string, error) {
	if accountID != "" {
		// Before the subaccount's check, so a malformed id is named as
		// such rather than echoed back as an account not found.
		if err := coffer.CheckID(param+"account_id", coffer.PrefixAccount, accountID); err != nil {
			return "", "", err
		}
	}
	if caller.Role == RoleSubaccount {
		if accountID != "" && accountID != caller.AccountID {
			return "", "", coffer.Errorf(coffer.ENotFound, "account %s not found", accountID)
		}
		if subID != "" && subID != caller.SubaccountID {
			return "", "", coffer.Invalid(param+"subaccount_id", "must be left out or be the authenticated subaccount %s", caller.SubaccountID)
		}
		return caller.AccountID, caller.SubaccountID, nil
	}
	if accountID == "" {
		return "", "", coffer.Invalid(param+"account_id", "is required")
	}
	if err := authorize(caller, accountID, useBalance); err != nil {
		return "", "", err
	}
	if subID != "" {
		if err := coffer.CheckID(param+"subaccount_id", coffer.PrefixSubaccount, subID); err != nil {
			return "", "", err
		}
		sub, err := s.store.GetSubaccount(ctx, subID)
		if err != nil || sub.AccountID != accountID {
			return "", "", coffer.Errorf(coffer.ENotFound, "subaccount %s not found on account %s", subID, accountID)
		}
		if err := usable(sub); err != nil {
			return "", "", err
		}
	}
	return accountID, subID, nil
}
