package httpapi

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/money"
)

// amountPattern is the wire form of money.Amount: an optional minus sign,
// at most 12 whole digits and at most 6 decimals, and no minus sign on a
// zero. Twelve digits keep every accepted value inside the int64 range of
// micro-units and money.Parse refuses a negative zero, so an amount that
// passes the schema always parses, and an amount that does not is refused
// with the field's name.
const amountPattern = `^(?:` + amountWhole + amountDecimals +
	`|-(?:` + amountNonZeroWhole + amountDecimals + `|0{1,12}\.` + amountNonZeroDecimals + `))$`

// The parts of amountPattern. RE2 has no lookahead, so "digits, not all
// zero" spells out where the first non-zero digit stands.
const (
	amountWhole        = `[0-9]{1,12}`
	amountDecimals     = `(?:\.[0-9]{1,6})?`
	amountNonZeroWhole = `(?:[1-9][0-9]{0,11}|0[1-9][0-9]{0,10}|0{2}[1-9][0-9]{0,9}|0{3}[1-9][0-9]{0,8}|` +
		`0{4}[1-9][0-9]{0,7}|0{5}[1-9][0-9]{0,6}|0{6}[1-9][0-9]{0,5}|0{7}[1-9][0-9]{0,4}|` +
		`0{8}[1-9][0-9]{0,3}|0{9}[1-9][0-9]{0,2}|0{10}[1-9][0-9]?|0{11}[1-9])`
	amountNonZeroDecimals = `(?:[1-9][0-9]{0,5}|0[1-9][0-9]{0,4}|0{2}[1-9][0-9]{0,3}|0{3}[1-9][0-9]{0,2}|` +
		`0{4}[1-9][0-9]?|0{5}[1-9])`
)

// amountSchema stands in for money.Amount when huma builds schemas. Package
// money stays free of huma; the registry maps the type to this one.
type amountSchema struct{}

// Schema describes an amount as a decimal string.
func (amountSchema) Schema(huma.Registry) *huma.Schema {
	return &huma.Schema{
		Type:               huma.TypeString,
		Format:             "decimal",
		Pattern:            amountPattern,
		PatternDescription: `a decimal string with at most 6 decimal places, such as "25.00", and no minus sign on zero`,
		Description:        "An exact decimal amount as a string, at most 6 decimal places.",
		Examples:           []any{"25.00"},
	}
}

// newRegistry returns the schema registry for the OpenAPI document, with
// money.Amount described as a decimal string.
func newRegistry() huma.Registry {
	r := huma.NewMapRegistry("#/components/schemas/", huma.DefaultSchemaNamer)
	r.RegisterTypeAlias(reflect.TypeFor[money.Amount](), reflect.TypeFor[amountSchema]())
	return r
}

// refinement adds to the schema huma derives from a wire type what the Go
// type cannot say: allowed values, documentation, and fields that are
// optional though the type has no omitempty because the service supplies a
// default when they are empty.
type refinement struct {
	doc      string
	enum     []any
	optional bool
	// nullable: the server sends null for the property when it has no
	// value (the key is always there unless optional).
	nullable bool
	// deprecated: the property is still sent but will go; doc says what
	// replaces it.
	deprecated bool
	minItems   int
	maxItems   int
}

func enumOf[T ~string](vs ...T) []any {
	out := make([]any, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

var (
	billingModes  = []any{"prepaid", "postpaid"}
	accountStatus = enumOf(ledger.StatusActive, ledger.StatusSuspended, ledger.StatusClosed)
	kinds         = enumOf(ledger.Monetary, ledger.Units)
	categories    = enumOf(ledger.Paid, ledger.Promotional)
	applications  = enumOf(ledger.Realtime, ledger.TrueUp)
	lotStatus     = enumOf(ledger.LotActive, ledger.LotDepleted, ledger.LotExpired, ledger.LotVoided)
	origins       = enumOf(ledger.OriginGrant, ledger.OriginPurchase, ledger.OriginRecharge, ledger.OriginRefund)
	txnTypes      = []ledger.TxnType{ledger.TxnGrant, ledger.TxnDebit, ledger.TxnCapture, ledger.TxnVoid, ledger.TxnExpire, ledger.TxnInvoiceCredit, ledger.TxnInvoiceVoid, ledger.TxnTrueUp}
	holdStatus    = enumOf(ledger.HoldActive, ledger.HoldCaptured, ledger.HoldReleased, ledger.HoldExpired)
	currencyDoc   = "ISO 4217 currency code, such as USD."
	metadataDoc   = "Your own key-value pairs, stored and returned as given."
	minBalanceDoc = "The floor the balance may not cross: 0 by default, negative for accounts allowed to run a debt."
	eventIDDoc    = "The usage event's own id. A second debit with the same event id on the same account returns the first and changes nothing; with different figures it is a 409."
	expiresAtDoc  = "When the credit lapses; null means never."
)

// refinements is keyed by schema name (the Go type's name) and property.
var refinements = map[string]map[string]refinement{
	"AccountCreate": {
		"currency":            {optional: true, doc: currencyDoc + " The deployment's default when left out."},
		"billing_mode":        {enum: billingModes, doc: "prepaid (default) or postpaid."},
		"min_balance":         {doc: minBalanceDoc},
		"trust_tier":          {doc: "Caps the size of a single purchase."},
		"notification_emails": {doc: "Extra addresses that receive balance alerts."},
		"metadata":            {doc: metadataDoc},
	},
	"AccountUpdate": {
		"billing_mode": {enum: billingModes},
		"status":       {enum: enumOf(ledger.StatusActive, ledger.StatusSuspended), doc: "Admin keys only. Closing has its own action."},
		"min_balance":  {doc: minBalanceDoc},
		"metadata":     {doc: metadataDoc},
	},
	"Account": {
		"status":       {enum: accountStatus},
		"billing_mode": {enum: billingModes},
		"currency":     {doc: currencyDoc},
		"min_balance":  {doc: minBalanceDoc},
	},
	"Subaccount": {
		"auth_token": {doc: "The secret half of the subaccount's credentials. Present only in the answer that created it; store it then."},
		"auth_id":    {doc: "The public half of the subaccount's HTTP Basic credentials."},
	},
	"SubaccountUpdate": {
		"enabled": {doc: "A disabled subaccount's requests are refused."},
	},
	"GrantCreate": {
		"kind":         {enum: kinds, doc: "monetary (default) credits the account's currency; units credits a named unit."},
		"amount":       {doc: "How much to credit; must be positive."},
		"currency":     {doc: "If given, must be the account's currency."},
		"unit":         {doc: "The unit credited, for kind units (such as api_call, sms)."},
		"category":     {enum: categories, doc: "promotional (default) or paid."},
		"priority":     {doc: "Lower is consumed first; 50 by default."},
		"effective_at": {doc: "When the credit becomes usable; now by default."},
		"expires_at":   {doc: "When the credit lapses; never by default."},
		"application":  {enum: applications, doc: "realtime (default) is consumed by debits as they happen; true_up is a gift applied against the previous month's usage."},
		"reason":       {doc: "Recorded in the audit trail."},
		"metadata":     {doc: metadataDoc},
	},
	"Grant": {
		"kind":        {enum: kinds},
		"category":    {enum: categories},
		"application": {enum: applications},
		"status":      {enum: lotStatus},
		"origin":      {enum: origins, doc: "What made the credit: a grant, a purchase, an auto-recharge or a refund."},
		"remaining":   {doc: "What is left to consume."},
		"expires_at":  {doc: expiresAtDoc},
	},
	"GrantVoid": {
		"reason": {doc: "Why the credit is voided; recorded in the audit trail."},
	},
	"Transaction": {
		"type":          {enum: enumOf(txnTypes...)},
		"amount":        {doc: "The change to the balance: negative for debits, captures, voids and expiries."},
		"balance_after": {doc: "The account's balance right after this transaction."},
		"postings":      {doc: "The double-entry lines; they sum to zero per asset."},
	},
	"DebitCreate": {
		"account_id":     {doc: "The account to debit. May be left out when a subaccount sends the debit."},
		"event_id":       {doc: eventIDDoc},
		"amount":         {doc: "The amount to debit in the account's currency. Give either amount, or unit and quantity."},
		"unit":           {doc: "The usage unit; unit credits of this unit are consumed first."},
		"quantity":       {doc: "How many units were used."},
		"unit_price":     {doc: "Price of one unit, used for the part not covered by unit credits."},
		"allow_negative": {doc: "The usage has already been served: post it even if the balance goes below its floor, as a debt."},
		"subaccount_id":  {doc: "Tags the usage with a subaccount for reports."},
	},
	"Debit": {
		"replayed": {doc: "True when this event had already been debited and nothing new happened."},
	},
	"DebitBatch": {
		"debits": {minItems: 1, maxItems: maxBatchDebits, doc: fmt.Sprintf("Between 1 and %d debits, applied in order; each succeeds or fails on its own.", maxBatchDebits)},
	},
	"DebitBatchItem": {
		"status": {doc: "The HTTP status this debit would have had on its own."},
	},
	"HoldCreate": {
		"account_id": {doc: "The account to reserve on. May be left out when a subaccount sends the hold."},
		"amount":     {doc: "How much to reserve."},
		"ttl":        {doc: "How long the hold lasts if neither captured nor released: a Go duration such as \"15m\", at most 720h."},
		"event_id":   {doc: "The usage event's own id; a second hold for the same event returns the first."},
	},
	"HoldCapture": {
		"amount": {doc: "The final amount: more or less than the hold."},
	},
	"Hold": {
		"status": {enum: holdStatus},
	},
	"Balance": {
		"balance":              {doc: "Realtime credits minus debt."},
		"available":            {doc: "What a strict debit may still use: balance minus holds minus the floor."},
		"held":                 {doc: "Reserved by active holds."},
		"debt":                 {doc: "Owed below zero; repaid first from the next credit."},
		"credits":              {doc: "Monetary credits remaining, by category (paid, promotional)."},
		"units":                {doc: "Unit credits remaining, by unit."},
		"expiring_soon":        {doc: "Credits that expire within 30 days."},
		"gifted_remaining":     {doc: "What remains of true-up gifts."},
		"balance_with_credits": {doc: "Balance plus gifted_remaining."},
		"pending":              {doc: "Credits set against unpaid invoices."},
		"status":               {enum: accountStatus},
		"at":                   {doc: "The instant the balance describes."},
	},
	"AutoRecharge": {
		"amount":           {nullable: true, doc: "The fixed amount charged, again and again, until the balance is at or above the threshold; null when a target is set or nothing is."},
		"target":           {nullable: true, doc: "The balance one charge brings the account back to; null when a fixed amount is set or nothing is."},
		"daily_cap":        {nullable: true, doc: "The most auto-recharge may charge in a day; null for no cap."},
		"retry_at_balance": {nullable: true, doc: "While retrying: the balance at or below which the next charge is tried. Null in the other states."},
		"retry_at":         {nullable: true, deprecated: true, doc: "Deprecated: the same value as retry_at_balance, which replaces it. It is a balance, not a time."},
		"updated_at":       {doc: "When the settings last changed; null for an account that never set them."},
	},
	"ClockAdvance": {
		"to": {doc: "The instant to move to. Give exactly one of to and by."},
		"by": {doc: "How far to move, as a Go duration such as \"36h\"."},
	},
}

// boundIntegers gives every integer property without bounds of its own the
// range of a 32-bit integer. Without them a number too large for the Go
// field passes validation and fails decoding, whose error names no field
// and speaks of Go types; with them it is refused, with the field's name,
// like any other value out of range.
func boundIntegers(reg huma.Registry) {
	var walk func(s *huma.Schema, depth int)
	walk = func(s *huma.Schema, depth int) {
		if s == nil || depth > 16 {
			return
		}
		if s.Type == huma.TypeInteger && s.Minimum == nil && s.Maximum == nil && s.ExclusiveMinimum == nil && s.ExclusiveMaximum == nil {
			s.Minimum, s.Maximum = ptr(float64(math.MinInt32)), ptr(float64(math.MaxInt32))
			s.PrecomputeMessages()
		}
		for _, p := range s.Properties {
			walk(p, depth+1)
		}
		walk(s.Items, depth+1)
		if ap, ok := s.AdditionalProperties.(*huma.Schema); ok {
			walk(ap, depth+1)
		}
	}
	for _, s := range reg.Map() {
		walk(s, 0)
	}
}

// refineSchemas applies the refinements to the schemas registered so far.
// A refinement naming a property the type no longer has is a programming
// error and panics at start-up. Schemas not registered (the test clock's,
// when it is off) are skipped.
func refineSchemas(reg huma.Registry) {
	schemas := reg.Map()
	for name, props := range refinements {
		s, ok := schemas[name]
		if !ok {
			continue
		}
		for prop, ref := range props {
			p, ok := s.Properties[prop]
			if !ok {
				panic(fmt.Sprintf("httpapi: schema %s has no property %q", name, prop))
			}
			if ref.doc != "" {
				p.Description = ref.doc
			}
			if ref.enum != nil {
				p.Enum = ref.enum
			}
			if ref.minItems > 0 {
				p.MinItems = &ref.minItems
			}
			if ref.maxItems > 0 {
				p.MaxItems = &ref.maxItems
			}
			if ref.nullable {
				p.Nullable = true
			}
			if ref.deprecated {
				p.Deprecated = true
			}
			if ref.optional {
				s.Required = slices.DeleteFunc(slices.Clone(s.Required), func(r string) bool { return r == prop })
			}
			p.PrecomputeMessages()
		}
		s.PrecomputeMessages()
	}
}

// standardKeywords moves what huma keeps in keywords of its own into
// standard JSON Schema, so that linters and generators read the document
// as any OpenAPI 3.1 document: an amount's patternDescription becomes a
// sentence of its description. huma has already turned it into the
// validation message (PrecomputeMessages), which stays as it was; this runs
// last, after every step that recomputes messages.
func standardKeywords(reg huma.Registry) {
	walkSchemas(reg, func(s *huma.Schema) {
		if s.PatternDescription == "" {
			return
		}
		s.PrecomputeMessages()
		text := strings.ToUpper(s.PatternDescription[:1]) + s.PatternDescription[1:] + "."
		if s.Description == "" {
			s.Description = text
		} else {
			s.Description += " " + text
		}
		s.PatternDescription = ""
	})
}

// listsNeverNull declares the data array of every list and report as an
// array, never null: huma makes every Go slice nullable, but the service
// always builds a list's data as an empty slice, which is sent as [].
func listsNeverNull(reg huma.Registry) {
	for _, s := range reg.Map() {
		if d := s.Properties["data"]; d != nil && d.Type == huma.TypeArray {
			d.Nullable = false
		}
	}
}

// walkSchemas calls fn on every schema in the registry and on every schema
// nested in one, parents before their children.
func walkSchemas(reg huma.Registry, fn func(*huma.Schema)) {
	var walk func(s *huma.Schema, depth int)
	walk = func(s *huma.Schema, depth int) {
		if s == nil || depth > 16 {
			return
		}
		fn(s)
		for _, p := range s.Properties {
			walk(p, depth+1)
		}
		walk(s.Items, depth+1)
		if ap, ok := s.AdditionalProperties.(*huma.Schema); ok {
			walk(ap, depth+1)
		}
		for _, sub := range slices.Concat(s.OneOf, s.AnyOf, s.AllOf) {
			walk(sub, depth+1)
		}
	}
	for _, s := range reg.Map() {
		walk(s, 0)
	}
}
