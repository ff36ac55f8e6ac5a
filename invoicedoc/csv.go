package invoicedoc

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"

	"github.com/cofferdev/coffer/invoice"
)

// CSV writes the invoice's lines, counted and activity alike, one row
// each under the header
//
//	kind,description,unit,quantity,amount,currency,subaccount_id,grant_id
//
// in UTF-8 with CRLF line ends (RFC 4180). Quantities and amounts are
// exact decimals as the API writes them ("-50.00", "0.000001"), with no
// grouping, so a spreadsheet reads them as numbers; a zero quantity is
// left blank, as on the page. grant_id is the lot a credit line applied.
// Nothing is written if rendering fails.
func CSV(w io.Writer, inv *invoice.Invoice) error {
	if inv == nil {
		return errNoInvoice
	}
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	cw.UseCRLF = true
	rows := [][]string{{"kind", "description", "unit", "quantity", "amount", "currency", "subaccount_id", "grant_id"}}
	for _, l := range inv.Lines {
		q := ""
		if l.Quantity != 0 {
			q = l.Quantity.String()
		}
		rows = append(rows, []string{string(l.Kind), l.Description, l.Unit, q, l.Amount.String(), string(inv.Currency), l.SubaccountID, l.LotID})
	}
	if err := cw.WriteAll(rows); err != nil {
		return fmt.Errorf("render csv: %w", err)
	}
	_, err := buf.WriteTo(w)
	return err
}
