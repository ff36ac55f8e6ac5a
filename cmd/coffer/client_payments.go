package main

import (
	"io"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/client"
)

// paymentCmds are the client commands for payment methods, purchases,
// payments, auto-recharge and schedules.
func paymentCmds(e *clientEnv) []*cobra.Command {
	return []*cobra.Command{paymentMethodsCmd(e), purchasesCmd(e), paymentsCmd(e), autoRechargeCmd(e), schedulesCmd(e)}
}

func paymentMethodsCmd(e *clientEnv) *cobra.Command {
	cmd := &cobra.Command{Use: "payment-methods", Short: "Add, list, verify, set default and remove payment methods"}
	var in api.PaymentMethodCreate
	add := &cobra.Command{
		Use:   "add ACCOUNT --type card|paypal|us_bank_account [flags]",
		Short: "Add a card, PayPal account or US bank account",
		Long: "Add a payment method. A card takes --card-number, --exp-month, --exp-year, --cvc;\n" +
			"PayPal --paypal-email; a bank account --routing-number, --account-number and\n" +
			"--holder, and must then be verified with the code of its deposit. With the Stripe\n" +
			"gateway, --token passes a PaymentMethod id made by Stripe.js instead.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			m, err := e.client().AddPaymentMethod(cmd.Context(), args[0], in, e.call()...)
			return show(e, cmd, m, err, printMethod)
		},
	}
	f := add.Flags()
	f.StringVar(&in.Type, "type", "", "card, paypal or us_bank_account")
	f.StringVar(&in.CardNumber, "card-number", "", "card number (sandbox: 4242424242424242 succeeds, 4000000000000002 declines)")
	f.IntVar(&in.ExpMonth, "exp-month", 0, "card expiry month")
	f.IntVar(&in.ExpYear, "exp-year", 0, "card expiry year")
	f.StringVar(&in.CVC, "cvc", "", "card security code")
	f.StringVar(&in.PayPalEmail, "paypal-email", "", "PayPal account e-mail")
	f.StringVar(&in.RoutingNumber, "routing-number", "", "bank routing number (sandbox: 110000000)")
	f.StringVar(&in.AccountNumber, "account-number", "", "bank account number (sandbox: 000123456789 settles, 000222222227 fails)")
	f.StringVar(&in.AccountHolderName, "holder", "", "bank account holder's name")
	f.StringVar(&in.Token, "token", "", "a gateway-made payment method token (Stripe: pm_...)")
	f.BoolVar(&in.Default, "default", false, "make it the account's default")
	_ = add.MarkFlagRequired("type")

	list := &cobra.Command{
		Use: "list ACCOUNT", Short: "List an account's payment methods", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			l, err := e.client().ListPaymentMethods(cmd.Context(), args[0])
			return showList(e, cmd, l, err, []string{"ID", "TYPE", "STATUS", "DEFAULT", "BRAND", "LAST4", "EMAIL"},
				func(m api.PaymentMethod) []string {
					return []string{m.ID, m.Type, m.Status, fmtBool(m.Default), m.Brand, m.Last4, m.Email}
				})
		},
	}
	one := func(use, short string, do func(c *client.Client, cmd *cobra.Command, id string) (*api.PaymentMethod, error)) *cobra.Command {
		return &cobra.Command{Use: use + " PAYMENT_METHOD", Short: short, Args: cobra.ExactArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				m, err := do(e.client(), cmd, args[0])
				return show(e, cmd, m, err, printMethod)
			}}
	}
	get := one("get", "Show a payment method", func(c *client.Client, cmd *cobra.Command, id string) (*api.PaymentMethod, error) {
		return c.GetPaymentMethod(cmd.Context(), id)
	})
	var code string
	verify := one("verify", "Verify a bank account with the 6-digit code of its deposit", func(c *client.Client, cmd *cobra.Command, id string) (*api.PaymentMethod, error) {
		return c.VerifyPaymentMethod(cmd.Context(), id, code, e.call()...)
	})
	verify.Flags().StringVar(&code, "code", "", "the code shown with the deposit")
	_ = verify.MarkFlagRequired("code")
	def := one("default", "Make a payment method the account's default", func(c *client.Client, cmd *cobra.Command, id string) (*api.PaymentMethod, error) {
		return c.SetDefaultPaymentMethod(cmd.Context(), id, e.call()...)
	})
	remove := one("remove", "Remove a payment method", func(c *client.Client, cmd *cobra.Command, id string) (*api.PaymentMethod, error) {
		return c.RemovePaymentMethod(cmd.Context(), id, e.call()...)
	})
	sandbox := &cobra.Command{
		Use: "sandbox-code PAYMENT_METHOD", Short: "Show the sandbox's verification code for a bank account (admin key)", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			v, err := e.client().SandboxVerificationCode(cmd.Context(), args[0])
			return show(e, cmd, v, err, func(w io.Writer, v *api.VerificationCode) {
				line(w, "Payment method", v.PaymentMethodID)
				line(w, "Code", v.Code)
			})
		},
	}
	cmd.AddCommand(add, list, get, verify, def, remove, sandbox)
	return cmd
}

func printMethod(w io.Writer, m *api.PaymentMethod) {
	line(w, "ID", m.ID)
	line(w, "Account", m.AccountID)
	line(w, "Type", m.Type)
	line(w, "Status", m.Status)
	line(w, "Default", fmtBool(m.Default))
	line(w, "Brand", m.Brand)
	line(w, "Last 4", m.Last4)
	line(w, "E-mail", m.Email)
	if m.Status == "unverified" {
		line(w, "Tries left", strconv.Itoa(m.VerificationTriesLeft))
	}
}

func printPayment(w io.Writer, p *api.Payment) {
	line(w, "ID", p.ID)
	line(w, "Account", p.AccountID)
	line(w, "Source", p.Source)
	line(w, "Status", p.Status)
	line(w, "Amount", p.Amount.String()+" "+p.Currency)
	line(w, "Payment method", p.PaymentMethodID)
	line(w, "Grant", p.GrantID)
	if p.SettlesAt != nil {
		line(w, "Settles", fmtTime(*p.SettlesAt))
	}
	if p.FailureCode != "" {
		line(w, "Failure", p.FailureCode+": "+p.FailureMessage)
	}
	line(w, "Created", fmtTime(p.CreatedAt))
}

var paymentHeader = []string{"ID", "SOURCE", "STATUS", "AMOUNT", "METHOD", "GRANT", "FAILURE", "CREATED"}

func paymentRow(p api.Payment) []string {
	return []string{p.ID, p.Source, p.Status, p.Amount.String(), p.PaymentMethodID, p.GrantID, p.FailureCode, fmtTime(p.CreatedAt)}
}

func purchasesCmd(e *clientEnv) *cobra.Command {
	cmd := &cobra.Command{Use: "purchases", Short: "Buy credit and list purchases"}
	var amount amountFlag
	var method string
	create := &cobra.Command{
		Use:   "create ACCOUNT --amount AMOUNT [--payment-method PM]",
		Short: "Buy credit with a payment method (the default one unless named)",
		Long: "Buy credit. The money repays any debt first; the rest is a paid grant. Retrying\n" +
			"with the same --idempotency-key never charges twice.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := e.client().CreatePurchase(cmd.Context(), args[0], api.PurchaseCreate{Amount: amount.v, PaymentMethodID: method}, e.call()...)
			return show(e, cmd, p, err, printPayment)
		},
	}
	create.Flags().Var(&amount, "amount", "amount to buy, in the account's currency")
	create.Flags().StringVar(&method, "payment-method", "", "payment method id (default: the account's default)")
	_ = create.MarkFlagRequired("amount")
	var p client.ListParams
	list := &cobra.Command{
		Use: "list ACCOUNT", Short: "List an account's purchases", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			l, err := e.client().ListPurchases(cmd.Context(), args[0], p)
			return showList(e, cmd, l, err, paymentHeader, paymentRow)
		},
	}
	addPageFlags(list.Flags(), &p)
	cmd.AddCommand(create, list)
	return cmd
}

func paymentsCmd(e *clientEnv) *cobra.Command {
	cmd := &cobra.Command{Use: "payments", Short: "List every payment: purchases, auto-recharges and scheduled debits"}
	var p client.PaymentListParams
	list := &cobra.Command{
		Use: "list ACCOUNT", Short: "List an account's payments", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			l, err := e.client().ListPayments(cmd.Context(), args[0], p)
			return showList(e, cmd, l, err, paymentHeader, paymentRow)
		},
	}
	list.Flags().StringVar(&p.Source, "source", "", "only purchase, auto_recharge or schedule")
	addPageFlags(list.Flags(), &p.ListParams)
	get := &cobra.Command{
		Use: "get PAYMENT", Short: "Show a payment", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			v, err := e.client().GetPayment(cmd.Context(), args[0])
			return show(e, cmd, v, err, printPayment)
		},
	}
	cmd.AddCommand(list, get)
	return cmd
}

func printAutoRecharge(w io.Writer, a *api.AutoRecharge) {
	line(w, "Account", a.AccountID)
	line(w, "Enabled", fmtBool(a.Enabled))
	line(w, "Locked", fmtBool(a.Locked))
	line(w, "Payment method", a.PaymentMethodID)
	line(w, "Threshold", a.Threshold.String())
	line(w, "Amount", fmtOptAmount(a.Amount))
	line(w, "Target", fmtOptAmount(a.Target))
	line(w, "Daily cap", fmtOptAmount(a.DailyCap))
	line(w, "Spent today", a.SpentToday.String())
	line(w, "State", a.State)
	if a.RetryAtBalance != nil {
		line(w, "Next try at balance", a.RetryAtBalance.String())
	}
}

func autoRechargeCmd(e *clientEnv) *cobra.Command {
	cmd := &cobra.Command{Use: "auto-recharge", Short: "Show and change auto-recharge settings"}
	get := &cobra.Command{
		Use: "get ACCOUNT", Short: "Show an account's auto-recharge", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			v, err := e.client().GetAutoRecharge(cmd.Context(), args[0])
			return show(e, cmd, v, err, printAutoRecharge)
		},
	}
	var (
		enabled, locked                     bool
		method                              string
		threshold, amount, target, dailyCap amountFlag
	)
	set := &cobra.Command{
		Use:   "set ACCOUNT [flags]",
		Short: "Change auto-recharge settings; flags not given keep their value",
		Long: "Change auto-recharge. With --amount, a fall below --threshold charges that amount\n" +
			"again and again until the balance is back at or above it; with --target, one\n" +
			"charge of the difference. --locked (admin) keeps the owner from turning it off.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			in := api.AutoRechargeUpdate{Enabled: changed(cmd, "enabled", enabled), Locked: changed(cmd, "locked", locked),
				PaymentMethodID: changed(cmd, "payment-method", method),
				Threshold:       threshold.ptr(), Amount: amount.ptr(), Target: target.ptr(), DailyCap: dailyCap.ptr()}
			v, err := e.client().PutAutoRecharge(cmd.Context(), args[0], in, e.call()...)
			return show(e, cmd, v, err, printAutoRecharge)
		},
	}
	f := set.Flags()
	f.BoolVar(&enabled, "enabled", false, "turn auto-recharge on (--enabled) or off (--enabled=false)")
	f.BoolVar(&locked, "locked", false, "admin: lock it on so the owner cannot turn it off")
	f.StringVar(&method, "payment-method", "", "card or PayPal payment method to charge")
	f.Var(&threshold, "threshold", "recharge when the balance falls below this")
	f.Var(&amount, "amount", "charge this fixed amount each time")
	f.Var(&target, "target", "charge once, up to this balance")
	f.Var(&dailyCap, "daily-cap", "most auto-recharge may charge per day (0: no cap)")
	cmd.AddCommand(get, set)
	return cmd
}

func schedulesCmd(e *clientEnv) *cobra.Command {
	cmd := &cobra.Command{Use: "schedules", Short: "Monthly bank debits"}
	var in api.PaymentScheduleCreate
	var amount amountFlag
	create := &cobra.Command{
		Use: "create ACCOUNT --payment-method PM --day N --amount AMOUNT", Short: "Debit a verified bank account every month", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			in.Amount = amount.v
			v, err := e.client().CreatePaymentSchedule(cmd.Context(), args[0], in, e.call()...)
			return show(e, cmd, v, err, printSchedule)
		},
	}
	create.Flags().StringVar(&in.PaymentMethodID, "payment-method", "", "verified bank account")
	create.Flags().IntVar(&in.DayOfMonth, "day", 0, "day of the month, 1 to 28")
	create.Flags().Var(&amount, "amount", "amount to debit each month")
	for _, n := range []string{"payment-method", "day", "amount"} {
		_ = create.MarkFlagRequired(n)
	}
	list := &cobra.Command{
		Use: "list ACCOUNT", Short: "List an account's schedules", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			l, err := e.client().ListPaymentSchedules(cmd.Context(), args[0])
			return showList(e, cmd, l, err, []string{"ID", "STATUS", "DAY", "AMOUNT", "METHOD", "NEXT RUN"},
				func(s api.PaymentSchedule) []string {
					return []string{s.ID, s.Status, strconv.Itoa(s.DayOfMonth), s.Amount.String(), s.PaymentMethodID, fmtOptTime(s.NextRunAt, "")}
				})
		},
	}
	cancel := &cobra.Command{
		Use: "cancel SCHEDULE", Short: "Stop a schedule", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			v, err := e.client().CancelPaymentSchedule(cmd.Context(), args[0], e.call()...)
			return show(e, cmd, v, err, printSchedule)
		},
	}
	cmd.AddCommand(create, list, cancel)
	return cmd
}

func printSchedule(w io.Writer, s *api.PaymentSchedule) {
	line(w, "ID", s.ID)
	line(w, "Account", s.AccountID)
	line(w, "Status", s.Status)
	line(w, "Day of month", strconv.Itoa(s.DayOfMonth))
	line(w, "Amount", s.Amount.String())
	line(w, "Payment method", s.PaymentMethodID)
	line(w, "Next run", fmtOptTime(s.NextRunAt, ""))
}
