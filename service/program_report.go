package service

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/money"
	"github.com/cofferdev/coffer/program"
	"github.com/cofferdev/coffer/store"
)

// ProgramReport is what a program's gifts came to, per enrollment and in
// total, computed from the ledger. Admin only. For each enrollment:
// issued is its gift lot's amount; applied, what the lot's true_up
// transactions took from it for the balance; expired and voided, what
// its expire and void transactions moved to breakage (an unenrolment
// voids the gift's rest, so it counts as voided); remaining, the lot's
// remaining value now. They come from the lot's own postings, so issued =
// applied + remaining + expired + voided holds for every row, as
// `coffer check` holds every lot's remaining to its postings. An
// enrollment whose gift a crash kept from being granted shows zeros
// until the true-up job grants it.
func (s *Service) ProgramReport(ctx context.Context, c Call, programID string) (*api.ProgramReport, error) {
	if err := adminOnly(c.Caller); err != nil {
		return nil, err
	}
	if err := coffer.CheckID("id", coffer.PrefixProgram, programID); err != nil {
		return nil, err
	}
	p, err := s.store.GetProgram(ctx, programID)
	if err != nil {
		return nil, err
	}
	r := &api.ProgramReport{Object: "program_report", ProgramID: p.ID, Currency: string(p.Currency), Accounts: []api.ProgramReportAccount{}}
	accounts := map[string]bool{}
	pg := store.Page{Limit: 100}
	for {
		items, more, err := s.store.ListEnrollments(ctx, p.ID, pg)
		if err != nil {
			return nil, err
		}
		for _, e := range items {
			row, err := s.giftFigures(ctx, e)
			if err != nil {
				return nil, err
			}
			if err := addFigures(&r.Total, row); err != nil {
				return nil, coffer.Errorf(coffer.EInternal, "program %s: total of its gifts: %v", p.ID, err)
			}
			r.Accounts = append(r.Accounts, *row)
			accounts[e.AccountID] = true
		}
		if !more || len(items) == 0 {
			break
		}
		pg.StartingAfter = items[len(items)-1].ID
	}
	r.Total.Accounts = len(accounts)
	return r, nil
}

// giftFigures is an enrollment's row of the program report: its gift
// lot's amount and remaining value, and what the lot's true_up, expire
// and void transactions took from it, read from the lot's customer
// postings in them.
func (s *Service) giftFigures(ctx context.Context, e *program.Enrollment) (*api.ProgramReportAccount, error) {
	row := &api.ProgramReportAccount{EnrollmentID: e.ID, AccountID: e.AccountID, Status: string(e.Status),
		CreditLastApplied: monthOrEmpty(e.CreditLastApplied), ExhaustedAt: optTime(e.ExhaustedAt)}
	if e.LotID == "" {
		return row, nil
	}
	lot, err := s.store.GetLot(ctx, e.LotID)
	if err != nil {
		return nil, err
	}
	row.Issued, row.Remaining = lot.Amount, lot.Remaining
	f := store.TxnFilter{Page: store.Page{Limit: 100}, Types: []ledger.TxnType{ledger.TxnTrueUp, ledger.TxnExpire, ledger.TxnVoid}}
	for {
		txns, more, err := s.store.ListTxns(ctx, e.AccountID, f)
		if err != nil {
			return nil, err
		}
		for _, t := range txns {
			if t.LotID != lot.ID {
				continue // another lot of the account
			}
			var into *money.Amount
			switch t.Type {
			case ledger.TxnTrueUp:
				into = &row.Applied
			case ledger.TxnExpire:
				into = &row.Expired
			case ledger.TxnVoid:
				into = &row.Voided
			default:
				continue
			}
			for _, p := range t.Postings {
				if p.Book == ledger.BookCustomer && p.LotID == lot.ID {
					*into -= p.Amount // the lot gives: its postings are negative
				}
			}
		}
		if !more || len(txns) == 0 {
			break
		}
		f.StartingAfter = txns[len(txns)-1].ID
	}
	return row, nil
}

// addFigures adds a row to the total, refusing to overflow.
func addFigures(t *api.ProgramReportTotal, row *api.ProgramReportAccount) error {
	for _, x := range []struct {
		sum *money.Amount
		v   money.Amount
	}{
		{&t.Issued, row.Issued}, {&t.Applied, row.Applied}, {&t.Remaining, row.Remaining},
		{&t.Expired, row.Expired}, {&t.Voided, row.Voided},
	} {
		v, err := x.sum.Add(x.v)
		if err != nil {
			return err
		}
		*x.sum = v
	}
	return nil
}

// WriteProgramReportCSV writes the report as CSV: the header
//
//	enrollment_id,account_id,status,currency,issued,applied,remaining,expired,voided,credit_last_applied,exhausted_at
//
// then one row per enrollment, then a row whose enrollment_id is "total"
// with the sums, in UTF-8 with CRLF line ends (RFC 4180). Amounts are
// exact decimals as the API writes them ("100.00", "0.000001"), with no
// grouping; credit_last_applied is YYYY-MM and exhausted_at RFC 3339,
// both blank when there is none. Nothing is written if rendering fails.
func WriteProgramReportCSV(w io.Writer, r *api.ProgramReport) error {
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	cw.UseCRLF = true
	rows := [][]string{{"enrollment_id", "account_id", "status", "currency",
		"issued", "applied", "remaining", "expired", "voided", "credit_last_applied", "exhausted_at"}}
	for _, a := range r.Accounts {
		exhausted := ""
		if a.ExhaustedAt != nil {
			exhausted = a.ExhaustedAt.UTC().Format(time.RFC3339Nano)
		}
		rows = append(rows, []string{a.EnrollmentID, a.AccountID, a.Status, r.Currency,
			a.Issued.String(), a.Applied.String(), a.Remaining.String(), a.Expired.String(), a.Voided.String(),
			a.CreditLastApplied, exhausted})
	}
	t := r.Total
	rows = append(rows, []string{"total", "", "", r.Currency,
		t.Issued.String(), t.Applied.String(), t.Remaining.String(), t.Expired.String(), t.Voided.String(), "", ""})
	if err := cw.WriteAll(rows); err != nil {
		return fmt.Errorf("render csv: %w", err)
	}
	_, err := buf.WriteTo(w)
	return err
}
