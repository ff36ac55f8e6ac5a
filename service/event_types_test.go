package service

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// eventTypeText is what an event type looks like: dotted lower-case words.
var eventTypeText = regexp.MustCompile(`^[a-z_]+(\.[a-z_]+)+$`)

// TestEventTypesListsEveryEmittedType reads the source of every package
// that writes events. Each constant named Event… whose value looks like an
// event type must be in EventTypes, and EventTypes must hold nothing else;
// and no event is built with a literal type, so every type emitted is one
// of those constants.
func TestEventTypesListsEveryEmittedType(t *testing.T) {
	declared := map[string]string{} // type → where
	for _, dir := range []string{".", "../ledger", "../store", "../sqlstore", "../payments"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range files {
			if strings.HasSuffix(name, "_test.go") {
				continue
			}
			src, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, name, src, 0)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(f, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.ValueSpec:
					for i, id := range n.Names {
						if !strings.HasPrefix(id.Name, "Event") || i >= len(n.Values) {
							continue
						}
						if v, ok := stringLit(n.Values[i]); ok && eventTypeText.MatchString(v) {
							declared[v] = fset.Position(id.Pos()).String()
						}
					}
				case *ast.CompositeLit:
					if !isEventLit(n.Type) {
						return true
					}
					for _, el := range n.Elts {
						kv, ok := el.(*ast.KeyValueExpr)
						if !ok {
							continue
						}
						if k, _ := kv.Key.(*ast.Ident); k == nil || k.Name != "Type" {
							continue
						}
						if v, ok := stringLit(kv.Value); ok {
							t.Errorf("%s: an event of literal type %q; declare it as a constant and add it to EventTypes",
								fset.Position(kv.Pos()), v)
						}
					}
				}
				return true
			})
		}
	}
	listed := EventTypes()
	for typ, where := range declared {
		if !slices.Contains(listed, typ) {
			t.Errorf("%s declares event type %q, which EventTypes leaves out", where, typ)
		}
	}
	for _, typ := range listed {
		if declared[typ] == "" {
			t.Errorf("EventTypes lists %q, which no constant declares", typ)
		}
	}
	if len(declared) == 0 {
		t.Fatal("found no event type constants: is the test reading the right directories?")
	}
}

func stringLit(e ast.Expr) (string, bool) {
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "", false
	}
	v, err := strconv.Unquote(lit.Value)
	return v, err == nil
}

// isEventLit reports whether a composite literal's type is ledger.Event
// (spelled Event inside package ledger).
func isEventLit(e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name == "Event"
	case *ast.SelectorExpr:
		x, ok := e.X.(*ast.Ident)
		return ok && x.Name == "ledger" && e.Sel.Name == "Event"
	}
	return false
}

func TestEventTypeChecks(t *testing.T) {
	for _, ok := range []string{"*", "account.*", "account.credits.*", "balance.alert_triggered", "payment.failed"} {
		if err := checkSubscription(ok); err != nil {
			t.Errorf("subscription %q refused: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "account", "acount.*", "nope.*", "account.credits.granted.*", "account.created ", "balance.alert"} {
		if err := checkSubscription(bad); err == nil {
			t.Errorf("subscription %q accepted", bad)
		}
	}
	if err := checkEventType("types", "account.*"); err == nil {
		t.Error("a replay's types accepted a prefix; the store matches types exactly")
	}
}
