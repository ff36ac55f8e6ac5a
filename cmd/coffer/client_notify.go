package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/client"
	"github.com/cofferdev/coffer/money"
)

// notifyCmds are the client commands for balance alerts, webhook endpoints
// and events.
func notifyCmds(e *clientEnv) []*cobra.Command {
	return []*cobra.Command{alertsCmd(e), webhooksCmd(e), eventsCmd(e)}
}

func alertsCmd(e *clientEnv) *cobra.Command {
	cmd := &cobra.Command{Use: "alerts", Short: "Show or set an account's balance alerts"}
	cmd.AddCommand(&cobra.Command{
		Use:   "get ACCOUNT_ID",
		Short: "Show the alerts in force, whether each is armed, and the recommendation",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			al, err := e.client().GetBalanceAlerts(cmd.Context(), args[0])
			return show(e, cmd, al, err, printAlerts)
		},
	})
	var thresholds, emails []string
	set := &cobra.Command{
		Use:   "set ACCOUNT_ID --threshold AMOUNT [--threshold AMOUNT …] [--email ADDRESS …]",
		Short: "Replace the alerts with the owner's own (at most three; none turns them off)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			in := api.BalanceAlertsUpdate{Thresholds: []money.Amount{}, Emails: emails}
			for _, t := range thresholds {
				a, err := money.Parse(t)
				if err != nil {
					return fmt.Errorf("--threshold %q: %w", t, err)
				}
				in.Thresholds = append(in.Thresholds, a)
			}
			al, err := e.client().SetBalanceAlerts(cmd.Context(), args[0], in, e.call()...)
			return show(e, cmd, al, err, printAlerts)
		},
	}
	set.Flags().StringArrayVar(&thresholds, "threshold", nil, "an alert threshold, e.g. 50.00 (repeat for up to three)")
	set.Flags().StringArrayVar(&emails, "email", nil, "an extra recipient beside the account's addresses (repeatable)")
	cmd.AddCommand(set)
	return cmd
}

func printAlerts(w io.Writer, al *api.BalanceAlerts) {
	line(w, "Account", al.AccountID)
	line(w, "Balance", al.Balance.String()+" "+al.Currency)
	line(w, "Source", al.Source)
	for _, th := range al.Thresholds {
		state := "fired (re-arms above the threshold)"
		if th.Armed {
			state = "armed"
		}
		line(w, "Alert", th.Threshold.String()+" "+al.Currency, state)
	}
	line(w, "Recipients", strings.Join(al.Emails, ", "))
	line(w, "Recommended", al.Recommended.String()+" "+al.Currency+" (average daily usage, last 30 days)")
}

func webhooksCmd(e *clientEnv) *cobra.Command {
	cmd := &cobra.Command{Use: "webhooks", Short: "Manage webhook endpoints (admin)"}
	var in api.WebhookEndpointCreate
	create := &cobra.Command{
		Use:   "create --endpoint-url URL [--event TYPE …]",
		Short: "Add an endpoint; prints its signing secret, shown only this once",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ep, err := e.client().CreateWebhookEndpoint(cmd.Context(), in, e.call()...)
			return show(e, cmd, ep, err, printEndpoint)
		},
	}
	create.Flags().StringVar(&in.URL, "endpoint-url", "", "where to POST events (--url names the Coffer server)")
	create.Flags().StringVar(&in.Description, "description", "", "a note for admins")
	create.Flags().StringArrayVar(&in.EventTypes, "event", nil, "an event type to send, or a prefix such as account.* (repeatable; default every type)")
	cmd.AddCommand(create)

	var page client.ListParams
	list := &cobra.Command{
		Use:   "list",
		Short: "List endpoints",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			l, err := e.client().ListWebhookEndpoints(cmd.Context(), page)
			return showList(e, cmd, l, err, []string{"ID", "URL", "STATUS", "EVENTS"}, func(ep api.WebhookEndpoint) []string {
				return []string{ep.ID, ep.URL, ep.Status, strings.Join(ep.EventTypes, ",")}
			})
		},
	}
	list.Flags().IntVar(&page.Limit, "limit", 0, "items per page")
	list.Flags().StringVar(&page.StartingAfter, "starting-after", "", "the last id of the previous page")
	cmd.AddCommand(list)

	cmd.AddCommand(&cobra.Command{
		Use:   "get ENDPOINT_ID",
		Short: "Show an endpoint",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ep, err := e.client().GetWebhookEndpoint(cmd.Context(), args[0])
			return show(e, cmd, ep, err, printEndpoint)
		},
	})

	var upd api.WebhookEndpointUpdate
	var url, desc string
	var events []string
	var enable, disable bool
	update := &cobra.Command{
		Use:   "update ENDPOINT_ID",
		Short: "Change an endpoint, or rotate its secret with --rotate-secret",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f := cmd.Flags()
			if f.Changed("endpoint-url") {
				upd.URL = &url
			}
			if f.Changed("description") {
				upd.Description = &desc
			}
			if f.Changed("event") {
				upd.EventTypes = &events
			}
			switch {
			case enable && disable:
				return errors.New("give --enable or --disable, not both")
			case enable:
				upd.Enabled = ptrTo(true)
			case disable:
				upd.Enabled = ptrTo(false)
			}
			ep, err := e.client().UpdateWebhookEndpoint(cmd.Context(), args[0], upd, e.call()...)
			return show(e, cmd, ep, err, printEndpoint)
		},
	}
	update.Flags().StringVar(&url, "endpoint-url", "", "new URL to POST events to")
	update.Flags().StringVar(&desc, "description", "", "new note")
	update.Flags().StringArrayVar(&events, "event", nil, "replace the event types (repeatable)")
	update.Flags().BoolVar(&enable, "enable", false, "enable (clears the failing mark)")
	update.Flags().BoolVar(&disable, "disable", false, "disable")
	update.Flags().BoolVar(&upd.RotateSecret, "rotate-secret", false, "replace the signing secret and print the new one")
	cmd.AddCommand(update)

	cmd.AddCommand(&cobra.Command{
		Use:   "delete ENDPOINT_ID",
		Short: "Delete an endpoint; its pending deliveries are canceled",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := e.client().DeleteWebhookEndpoint(cmd.Context(), args[0], e.call()...); err != nil {
				return e.cliError(err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "deleted %s\n", args[0])
			return nil
		},
	})
	return cmd
}

func ptrTo[T any](v T) *T { return &v }

func printEndpoint(w io.Writer, ep *api.WebhookEndpoint) {
	line(w, "ID", ep.ID)
	line(w, "URL", ep.URL)
	line(w, "Status", ep.Status)
	line(w, "Failing since", fmtOptTime(ep.FailingSince, ""))
	line(w, "Events", strings.Join(ep.EventTypes, ", "))
	line(w, "Description", ep.Description)
	if ep.Secret != "" {
		line(w, "Secret", ep.Secret+"  (shown only now: keep it)")
	}
}

func eventsCmd(e *clientEnv) *cobra.Command {
	cmd := &cobra.Command{Use: "events", Short: "List, show and replay events"}
	var p client.EventParams
	var from, to timeFlag
	list := &cobra.Command{
		Use:   "list",
		Short: "List events, newest first",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if t := from.ptr(); t != nil {
				p.From = *t
			}
			if t := to.ptr(); t != nil {
				p.To = *t
			}
			l, err := e.client().ListEvents(cmd.Context(), p)
			return showList(e, cmd, l, err, []string{"ID", "TYPE", "ACCOUNT", "CREATED"}, func(ev api.Event) []string {
				return []string{ev.ID, ev.Type, ev.AccountID, fmtTime(ev.CreatedAt)}
			})
		},
	}
	list.Flags().StringSliceVar(&p.Types, "type", nil, "only these event types")
	list.Flags().StringVar(&p.AccountID, "account", "", "only this account's events")
	list.Flags().Var(&from, "from", "only events at or after this instant")
	list.Flags().Var(&to, "to", "only events before this instant")
	list.Flags().IntVar(&p.Limit, "limit", 0, "items per page")
	list.Flags().StringVar(&p.StartingAfter, "starting-after", "", "the last id of the previous page")
	cmd.AddCommand(list)

	cmd.AddCommand(&cobra.Command{
		Use:   "get EVENT_ID",
		Short: "Show an event with its deliveries and every attempt",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ev, err := e.client().GetEvent(cmd.Context(), args[0])
			return show(e, cmd, ev, err, printEvent)
		},
	})

	var rd api.Redeliver
	var rFrom, rTo timeFlag
	redeliver := &cobra.Command{
		Use:   "redeliver [EVENT_ID | --from TIME --to TIME]",
		Short: "Send one event, or every event of a time range, to the webhooks again",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var res *api.RedeliverResult
			var err error
			if len(args) == 1 {
				res, err = e.client().RedeliverEvent(cmd.Context(), args[0], rd, e.call()...)
			} else {
				rd.From, rd.To = rFrom.ptr(), rTo.ptr()
				res, err = e.client().RedeliverEvents(cmd.Context(), rd, e.call()...)
			}
			return show(e, cmd, res, err, func(w io.Writer, r *api.RedeliverResult) {
				line(w, "Events", fmt.Sprint(r.Events))
				line(w, "Deliveries", fmt.Sprint(r.Deliveries))
			})
		},
	}
	redeliver.Flags().StringVar(&rd.EndpointID, "endpoint", "", "only to this endpoint")
	redeliver.Flags().Var(&rFrom, "from", "start of the range (inclusive)")
	redeliver.Flags().Var(&rTo, "to", "end of the range (exclusive)")
	redeliver.Flags().StringSliceVar(&rd.Types, "type", nil, "only these event types (range form)")
	cmd.AddCommand(redeliver)
	return cmd
}

func printEvent(w io.Writer, ev *api.EventDetail) {
	line(w, "ID", ev.ID)
	line(w, "Type", ev.Type)
	line(w, "Account", ev.AccountID)
	line(w, "Created", fmtTime(ev.CreatedAt))
	line(w, "Data", fmtMap(ev.Data))
	for _, d := range ev.Deliveries {
		target := d.EndpointID
		if d.Channel == "email" {
			target = "e-mail"
		}
		line(w, "Delivery", d.ID, target, d.Status, fmtOptTime(d.NextAttemptAt, ""))
		for _, a := range d.Attempts {
			line(w, "  attempt", fmt.Sprint(a.N), fmtTime(a.AttemptedAt), fmt.Sprint(a.StatusCode),
				fmt.Sprintf("%dms", a.LatencyMS), firstLine(a.Response))
		}
	}
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	if len(s) > 80 {
		s = s[:80] + "…"
	}
	return s
}
