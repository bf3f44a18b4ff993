package httpapi_test

import (
	"log/slog"
	"maps"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	oaerrors "github.com/pb33f/libopenapi-validator/errors"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"

	"github.com/plugboard/plugboard/backend/internal/httpapi"
)

// oaDocFile is the description the server embeds and serves.
const oaDocFile = "openapi.json"

// oaLoad reads the description and builds its OpenAPI 3.1 model.
func oaLoad(t *testing.T) ([]byte, libopenapi.Document, *v3.Document) {
	t.Helper()
	raw, err := os.ReadFile(oaDocFile)
	if err != nil {
		t.Fatalf("read %s: %v", oaDocFile, err)
	}
	doc, err := libopenapi.NewDocument(raw)
	if err != nil {
		t.Fatalf("parse %s: %v", oaDocFile, err)
	}
	model, err := doc.BuildV3Model()
	if err != nil {
		t.Fatalf("build the OpenAPI model of %s: %v", oaDocFile, err)
	}
	return raw, doc, &model.Model
}

// oaOperations lists the described operations as "METHOD /path".
func oaOperations(model *v3.Document) map[string]*v3.Operation {
	ops := map[string]*v3.Operation{}
	for path, item := range model.Paths.PathItems.FromOldest() {
		for method, op := range item.GetOperations().FromOldest() {
			ops[strings.ToUpper(method)+" "+path] = op
		}
	}
	return ops
}

// TestOpenAPIDocumentIsValid checks the description against the OpenAPI
// 3.1 schema, and that each operation is named once and says in full who
// may call it.
func TestOpenAPIDocumentIsValid(t *testing.T) {
	_, doc, model := oaLoad(t)
	if got := doc.GetSpecInfo().Version; !strings.HasPrefix(got, "3.1.") {
		t.Fatalf("got OpenAPI version %q, want 3.1.x", got)
	}
	v, errs := validator.NewValidator(doc)
	if len(errs) > 0 {
		t.Fatalf("build a validator: %v", errs)
	}
	if ok, verrs := v.ValidateDocument(); !ok {
		for _, e := range verrs {
			t.Errorf("not a valid OpenAPI 3.1 document: %s", oaDescribe(e))
		}
	}

	ids := map[string]string{}
	for name, op := range oaOperations(model) {
		if prev, dup := ids[op.OperationId]; dup || op.OperationId == "" {
			t.Errorf("%s: operationId %q is empty or also used by %s", name, op.OperationId, prev)
		}
		ids[op.OperationId] = name
		oaCheckSecurity(t, name, op)
	}
}

// oaDescribe says what a validation error found, down to the fields.
func oaDescribe(e *oaerrors.ValidationError) string {
	msg := e.Message
	if e.Reason != "" {
		msg += ": " + e.Reason
	}
	for _, f := range e.SchemaValidationErrors {
		msg += "\n\t" + strings.TrimPrefix(f.FieldPath+": ", ": ") + f.Reason
	}
	return msg
}

// oaCheckSecurity checks that an operation that needs a caller says so
// in full: it answers 401, and a request with the session cookie that
// changes something must also carry the CSRF token (and may answer 403).
func oaCheckSecurity(t *testing.T, name string, op *v3.Operation) {
	t.Helper()
	if op.Security != nil && len(op.Security) == 0 {
		return // open to anyone
	}
	if op.Responses.Codes.GetOrZero("401") == nil {
		t.Errorf("%s: needs authentication but lists no 401 answer", name)
	}
	method, _, _ := strings.Cut(name, " ")
	if method == http.MethodGet || method == http.MethodHead || method == http.MethodOptions {
		return
	}
	if op.Security == nil {
		t.Errorf("%s: changes something but inherits the security that lets a session cookie in "+
			"without its CSRF token", name)
		return
	}
	for _, req := range op.Security {
		_, session := req.Requirements.Get("session")
		_, csrf := req.Requirements.Get("csrfToken")
		if session && !csrf {
			t.Errorf("%s: accepts the session cookie without the CSRF token", name)
		}
	}
	if op.Responses.Codes.GetOrZero("403") == nil {
		t.Errorf("%s: needs the CSRF token but lists no 403 answer", name)
	}
}

// oaFiberParam matches a route parameter as Fiber writes it.
var oaFiberParam = regexp.MustCompile(`:([A-Za-z0-9_]+)`)

// oaRoutePath writes a Fiber route path the way OpenAPI does: ":ref"
// becomes "{ref}" and the proxy's wildcard becomes "{path}".
func oaRoutePath(p string) string {
	p = oaFiberParam.ReplaceAllString(p, "{$1}")
	return strings.Replace(p, "*", "{path}", 1)
}

// oaWithoutImplicitHead drops HEAD where GET is there too: Fiber adds it
// to every GET route, and a description need not repeat it.
func oaWithoutImplicitHead(ops map[string]bool) {
	for op := range ops {
		path, ok := strings.CutPrefix(op, http.MethodHead+" ")
		if ok && ops[http.MethodGet+" "+path] {
			delete(ops, op)
		}
	}
}

// TestOpenAPIMatchesRoutes compares the described operations with the
// routes New registers, both ways.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	_, _, model := oaLoad(t)
	app := httpapi.New(httpapi.Config{Log: slog.New(slog.DiscardHandler)})

	registered := map[string]bool{}
	for _, r := range app.GetRoutes(true) {
		// OpenAPI 3.1 has no field for CONNECT, which the proxy's
		// catch-all route also accepts; its description says so.
		if r.Method == http.MethodConnect {
			continue
		}
		registered[r.Method+" "+oaRoutePath(r.Path)] = true
	}
	described := map[string]bool{}
	for op := range oaOperations(model) {
		described[op] = true
	}
	oaWithoutImplicitHead(registered)
	oaWithoutImplicitHead(described)

	for _, op := range slices.Sorted(maps.Keys(registered)) {
		if !described[op] {
			t.Errorf("route %s is registered but not described in %s", op, oaDocFile)
		}
	}
	for _, op := range slices.Sorted(maps.Keys(described)) {
		if !registered[op] {
			t.Errorf("%s describes %s, which the server does not register", oaDocFile, op)
		}
	}
}
