package client

import (
	"context"
	"net/http"

	"github.com/cofferdev/coffer/api"
)

// ProgramReport returns a program's gifts per enrollment and in total:
// issued, applied, remaining, expired and voided.
func (c *Client) ProgramReport(ctx context.Context, id string, opts ...CallOption) (*api.ProgramReport, error) {
	p, err := idPath("program id", "/v1/programs/", id, "/report")
	if err != nil {
		return nil, err
	}
	return call[api.ProgramReport](ctx, c, http.MethodGet, p, nil, opts)
}

// ProgramReportCSV returns the program's report as CSV: a header row, one
// row per enrollment and a final total row.
func (c *Client) ProgramReportCSV(ctx context.Context, id string) ([]byte, error) {
	p, err := idPath("program id", "/v1/programs/", id, "/report?format=csv")
	if err != nil {
		return nil, err
	}
	status, _, data, err := c.send(ctx, http.MethodGet, p, nil, "")
	if err != nil {
		return nil, err
	}
	if status < 200 || status > 299 {
		return nil, decodeError(status, data)
	}
	return data, nil
}
