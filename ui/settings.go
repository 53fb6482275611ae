package ui

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/radicador/radicador/label"
	"github.com/radicador/radicador/radicado"
	"github.com/radicador/radicador/scan"
	"github.com/radicador/radicador/station"
	"github.com/radicador/radicador/sync/wire"
)

// settings (Ajustes) edits the station's configuration, one section at a
// time; each section is checked as a whole by the station before anything
// is stored, and every change goes in the audit log.
type settings struct {
	w       *Window
	content fyne.CanvasObject
	tabs    *container.AppTabs
	message *widget.Label

	// Estación
	org, office, stationCode, pattern, hours *widget.Entry
	language                                 *widget.Select

	// Escáneres
	profiles                  *widget.List
	profileRows               []station.Profile
	pName                     *widget.Entry
	pDevice                   *widget.SelectEntry
	pSource, pDPI, pMode, pSz *widget.Select
	blank, deskew             *widget.Check
	separator                 *widget.Entry

	// Impresora
	printerURI, receiptURI *widget.Entry
	printLang, labelDPI    *widget.Select
	labelSize              *widget.SelectEntry

	// Servidor
	server, token *widget.Entry
	enrolled      *widget.Label

	// Correo
	mailHost, mailPort, mailUser, mailPassword      *widget.Entry
	mailInbox, mailClaimed, mailDone, mailDiscarded *widget.Entry
	mailSecurity                                    *widget.Select

	// Términos y rutas
	central     *widget.Label // says they are the organisation's, when they are
	terms       *fyne.Container
	termRows    []termRow
	depts       *widget.Entry
	closures    *widget.Entry
	loadedDepts map[string]string
	loadedClose map[string]string
}

// termRow edits one document type: its name, term and department.
type termRow struct {
	code        string
	name, days  *widget.Entry
	dept        *widget.Entry
	wasRouted   bool
	builtinName string
}

func newSettings(w *Window) *settings {
	tr := w.tr
	s := &settings{w: w, message: widget.NewLabel("")}
	s.message.Wrapping = fyne.TextWrapWord
	entry := func() *widget.Entry { return widget.NewEntry() }

	// Estación
	s.org, s.office, s.stationCode, s.pattern, s.hours = entry(), entry(), entry(), entry(), entry()
	s.language = widget.NewSelect([]string{"es — Español", "en — English"}, nil)
	stationForm := newForm(tr, "set.organization", s.org, "set.office", s.office, "set.station", s.stationCode, "set.pattern", s.pattern, "set.hours", s.hours, "set.language", s.language)
	stationForm.Items[3].HintText = tr.T("set.pattern_hint", "Pattern", radicado.DefaultPattern)
	stationForm.Items[5].HintText = tr.T("set.language_hint")
	stationTab := s.section(stationForm, s.saveStation)

	// Escáneres
	s.profiles = widget.NewList(func() int { return len(s.profileRows) },
		func() fyne.CanvasObject { return widget.NewLabel("") },
		func(i widget.ListItemID, o fyne.CanvasObject) {
			p := s.profileRows[i]
			o.(*widget.Label).SetText(p.Name + ": " + p.String())
		})
	s.profiles.OnSelected = func(i widget.ListItemID) { s.editProfile(s.profileRows[i]) }
	s.pName = entry()
	s.pDevice = widget.NewSelectEntry(nil)
	s.pDevice.SetPlaceHolder("sane:… escl:http://…")
	names := func(vals []string, prefix string) []string {
		out := make([]string, len(vals))
		for i, v := range vals {
			out[i] = tr.T(prefix + v)
		}
		return out
	}
	var sources, modes, sizes []string
	for _, v := range scan.Sources {
		sources = append(sources, string(v))
	}
	for _, v := range scan.Modes {
		modes = append(modes, string(v))
	}
	for _, v := range scan.PageSizes {
		sizes = append(sizes, v.Name)
	}
	s.pSource = widget.NewSelect(names(sources, "source."), nil)
	s.pDPI = widget.NewSelect([]string{"150", "200", "300", "400", "600"}, nil)
	s.pMode = widget.NewSelect(names(modes, "mode."), nil)
	s.pSz = widget.NewSelect(sizes, nil)
	s.blank = widget.NewCheck(tr.T("set.drop_blank"), nil)
	s.deskew = widget.NewCheck(tr.T("set.deskew"), nil)
	s.separator = entry()
	s.separator.SetPlaceHolder(tr.T("set.separator_hint"))
	profileForm := newForm(tr, "set.profile_name", s.pName, "set.device", s.pDevice, "set.source", s.pSource, "set.dpi", s.pDPI, "set.mode", s.pMode, "set.size", s.pSz)
	saveProfile := widget.NewButtonWithIcon(tr.T("set.profile_save"), theme.DocumentSaveIcon(), s.saveProfile)
	deleteProfile := widget.NewButtonWithIcon(tr.T("set.profile_delete"), theme.DeleteIcon(), s.deleteProfile)
	cleanForm := widget.NewForm(widget.NewFormItem("", s.blank), widget.NewFormItem("", s.deskew),
		widget.NewFormItem(tr.T("set.separator"), s.separator))
	scanTab := container.NewBorder(nil, nil, nil, nil, container.NewHSplit(
		container.NewBorder(container.NewVBox(
			widget.NewLabelWithStyle(tr.T("set.profiles"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
			widget.NewLabel(tr.T("set.profiles_hint"))), nil, nil, nil, s.profiles),
		container.NewVScroll(container.NewPadded(container.NewVBox(profileForm, container.NewHBox(saveProfile, deleteProfile),
			widget.NewSeparator(), cleanForm, container.NewHBox(s.saveButton(s.saveCleanup))))),
	))

	// Impresora
	s.printerURI, s.receiptURI = entry(), entry()
	s.printerURI.SetPlaceHolder(tr.T("set.printer_hint"))
	s.receiptURI.SetPlaceHolder(tr.T("set.receipt_hint"))
	s.printLang = widget.NewSelect(label.Formats, nil)
	var presets []string
	for _, p := range label.Presets {
		presets = append(presets, p.Name)
	}
	s.labelSize = widget.NewSelectEntry(presets)
	var dpis []string
	for _, d := range label.DPIs {
		dpis = append(dpis, strconv.Itoa(d))
	}
	s.labelDPI = widget.NewSelect(dpis, nil)
	printForm := newForm(tr, "set.printer", s.printerURI, "set.printer_lang", s.printLang, "set.label_size", s.labelSize, "set.label_dpi", s.labelDPI, "set.receipt_printer", s.receiptURI)
	testPrint := widget.NewButtonWithIcon(tr.T("set.test_print"), theme.DocumentPrintIcon(), s.testPrint)
	printTab := s.section(container.NewVBox(printForm, container.NewHBox(testPrint)), s.savePrinter)

	// Servidor
	s.server, s.token = entry(), widget.NewPasswordEntry()
	s.server.SetPlaceHolder("https://radicador.example.gov.co")
	s.enrolled = widget.NewLabel("")
	s.enrolled.Wrapping = fyne.TextWrapWord
	enroll := widget.NewButtonWithIcon(tr.T("set.enroll"), theme.LoginIcon(), s.enroll)
	serverTab := container.NewVBox(s.enrolled, newForm(tr, "set.server", s.server, "set.token", s.token), container.NewHBox(enroll))

	// Correo
	s.mailHost, s.mailPort, s.mailUser, s.mailPassword = entry(), entry(), entry(), widget.NewPasswordEntry()
	s.mailInbox, s.mailClaimed, s.mailDone, s.mailDiscarded = entry(), entry(), entry(), entry()
	s.mailHost.SetPlaceHolder("imap.entidad.gov.co")
	s.mailPassword.SetPlaceHolder(tr.T("set.mail_password_hint"))
	s.mailSecurity = widget.NewSelect([]string{"tls", "starttls", "none"}, nil)
	mailForm := newForm(tr, "set.mail_host", s.mailHost, "set.mail_port", s.mailPort, "set.mail_security", s.mailSecurity,
		"set.mail_user", s.mailUser, "set.mail_password", s.mailPassword, "set.mail_inbox", s.mailInbox, "set.mail_claimed", s.mailClaimed,
		"set.mail_done", s.mailDone, "set.mail_discarded", s.mailDiscarded)
	mailForm.Items[0].HintText = tr.T("set.mail_host_hint")
	mailTest := widget.NewButtonWithIcon(tr.T("set.mail_test"), theme.MailComposeIcon(), s.testMail)
	mailTab := s.section(container.NewVBox(mailForm, container.NewHBox(mailTest)), s.saveMail)

	// Términos y rutas
	s.terms = container.NewVBox()
	s.depts = widget.NewMultiLineEntry()
	s.depts.SetMinRowsVisible(4)
	s.depts.SetPlaceHolder("100=Secretaría General\n200=Hacienda")
	s.closures = widget.NewMultiLineEntry()
	s.closures.SetMinRowsVisible(3)
	s.closures.SetPlaceHolder("2026-12-24=Cierre de fin de año")
	s.central = widget.NewLabel("")
	s.central.Wrapping = fyne.TextWrapWord
	s.central.Importance = widget.WarningImportance
	s.central.Hide()
	termsTab := s.section(container.NewVBox(
		s.central,
		widget.NewLabelWithStyle(tr.T("set.terms"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		s.terms,
		newForm(tr, "set.depts", s.depts, "set.closures", s.closures),
	), s.saveTerms)

	s.tabs = container.NewAppTabs(
		container.NewTabItemWithIcon(tr.T("set.tab.station"), theme.HomeIcon(), stationTab),
		container.NewTabItemWithIcon(tr.T("set.tab.scanners"), theme.MediaPhotoIcon(), scanTab),
		container.NewTabItemWithIcon(tr.T("set.tab.printer"), theme.DocumentPrintIcon(), printTab),
		container.NewTabItemWithIcon(tr.T("set.tab.server"), theme.UploadIcon(), serverTab),
		container.NewTabItemWithIcon(tr.T("set.tab.mail"), theme.MailComposeIcon(), mailTab),
		container.NewTabItemWithIcon(tr.T("set.tab.terms"), theme.ListIcon(), termsTab),
	)
	s.tabs.SetTabLocation(container.TabLocationLeading)
	s.content = container.NewBorder(nil, s.message, nil, nil, s.tabs)
	return s
}

// section puts a save button under a form, in a scroll.
func (s *settings) section(form fyne.CanvasObject, save func()) fyne.CanvasObject {
	return container.NewVScroll(container.NewPadded(container.NewVBox(form, container.NewHBox(s.saveButton(save)))))
}

func (s *settings) saveButton(save func()) *widget.Button {
	b := widget.NewButtonWithIcon(s.w.tr.T("action.save"), theme.DocumentSaveIcon(), save)
	b.Importance = widget.HighImportance
	return b
}

// load shows the stored configuration.
func (s *settings) load() {
	type loaded struct {
		cfg     station.Config
		central int64 // the version of the organisation's configuration, 0: none
	}
	background(s.w, func(ctx context.Context) (loaded, error) {
		cfg, err := s.w.st.Settings.Config(ctx)
		if err != nil {
			return loaded{}, err
		}
		v, err := s.w.st.Settings.CentralVersion(ctx)
		return loaded{cfg, v}, err
	}, func(l loaded, err error) {
		if err != nil {
			s.message.SetText(err.Error())
			return
		}
		cfg := l.cfg
		s.w.cfg = cfg
		s.org.SetText(cfg.Organization)
		s.office.SetText(cfg.Office)
		s.stationCode.SetText(cfg.Station)
		s.pattern.SetText(cfg.Pattern)
		s.hours.SetText(cfg.Hours)
		if cfg.Language == "en" {
			s.language.SetSelectedIndex(1)
		} else {
			s.language.SetSelectedIndex(0)
		}

		s.profileRows = cfg.Scanning.Profiles
		s.profiles.UnselectAll()
		s.profiles.Refresh()
		var uris []string
		for _, d := range s.w.reception.pages.devices {
			uris = append(uris, d.URI)
		}
		s.pDevice.SetOptions(append(uris, deviceSANETest))
		s.editProfile(station.Profile{Settings: scan.Settings{Source: scan.ADF, DPI: 300, Mode: scan.Gray, PageSize: scan.Carta}})
		s.blank.SetChecked(cfg.Scanning.DropBlank)
		s.deskew.SetChecked(cfg.Scanning.Deskew)
		s.separator.SetText(cfg.Scanning.Separator)

		p := cfg.Printing
		s.printerURI.SetText(p.Printer)
		s.printLang.SetSelected(p.Language)
		s.labelSize.SetText(p.Size.Name)
		s.labelDPI.SetSelected(strconv.Itoa(p.DPI))
		s.receiptURI.SetText(p.Receipts)

		if srv := s.w.st.Sync.Server(); srv != "" {
			s.enrolled.SetText(s.w.tr.T("set.enrolled", "Server", srv))
			s.server.SetText(srv)
		} else {
			s.enrolled.SetText(s.w.tr.T("set.not_enrolled"))
		}

		m := cfg.Mail
		s.mailHost.SetText(m.Host)
		s.mailPort.SetText(strconv.Itoa(m.Port))
		s.mailSecurity.SetSelected(m.Security)
		s.mailUser.SetText(m.User)
		s.mailPassword.SetText("")
		s.mailInbox.SetText(m.Inbox)
		s.mailClaimed.SetText(m.Claimed)
		s.mailDone.SetText(m.Done)
		s.mailDiscarded.SetText(m.Discarded)

		s.loadTerms(cfg)
		s.lockCentral(l.central)
	})
}

// lockCentral makes the organisation's settings read-only when they come
// from the central server.
func (s *settings) lockCentral(version int64) {
	if version == 0 {
		s.central.Hide()
		return
	}
	s.central.SetText(s.w.tr.T("set.central", "Version", version))
	s.central.Show()
	for _, e := range []*widget.Entry{s.org, s.pattern, s.hours, s.depts, s.closures} {
		e.Disable()
	}
	for _, row := range s.termRows {
		row.name.Disable()
		row.days.Disable()
		row.dept.Disable()
	}
}

func (s *settings) loadTerms(cfg station.Config) {
	tr := s.w.tr
	s.terms.RemoveAll()
	s.termRows = nil
	head := container.NewGridWithColumns(4,
		widget.NewLabelWithStyle(tr.T("set.type_code"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		widget.NewLabelWithStyle(tr.T("set.type_name"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		widget.NewLabelWithStyle(tr.T("set.type_days"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		widget.NewLabelWithStyle(tr.T("set.type_dept"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	s.terms.Add(head)
	for _, t := range cfg.Types {
		row := termRow{code: t.Code, name: widget.NewEntry(), days: widget.NewEntry(), dept: widget.NewEntry(), builtinName: t.Name}
		row.name.SetText(t.Name)
		row.days.SetText(strconv.Itoa(t.Days))
		row.dept.SetText(cfg.Routes[t.Code])
		row.wasRouted = cfg.Routes[t.Code] != ""
		s.termRows = append(s.termRows, row)
		s.terms.Add(container.NewGridWithColumns(4, widget.NewLabel(t.Code), row.name, row.days, row.dept))
	}
	s.loadedDepts = cfg.Depts
	var lines []string
	for _, code := range slices.Sorted(maps.Keys(cfg.Depts)) {
		lines = append(lines, code+"="+cfg.Depts[code])
	}
	s.depts.SetText(strings.Join(lines, "\n"))
	s.loadedClose = map[string]string{}
	lines = nil
	for _, c := range cfg.Closures {
		s.loadedClose[c.Date.String()] = c.Reason
		lines = append(lines, c.Date.String()+"="+c.Reason)
	}
	s.closures.SetText(strings.Join(lines, "\n"))
}

// save stores changes and reloads the configuration everywhere.
func (s *settings) save(changes map[string]*string) {
	background(s.w, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, s.w.st.Settings.Set(ctx, changes)
	}, func(_ struct{}, err error) {
		if err != nil {
			s.message.Importance = widget.DangerImportance
			s.message.SetText(s.w.tr.T("set.not_saved", "Error", s.w.explain(err)))
			return
		}
		s.message.Importance = widget.SuccessImportance
		s.message.SetText(s.w.tr.T("set.saved"))
		s.w.reloadConfig()
		s.load()
	})
}

func str(v string) *string { return &v }

func (s *settings) saveStation() {
	lang := "es"
	if s.language.SelectedIndex() == 1 {
		lang = "en"
	}
	s.save(map[string]*string{
		station.KeyOrganization: str(s.org.Text), station.KeyOffice: str(s.office.Text),
		station.KeyStation: str(s.stationCode.Text), station.KeyPattern: str(s.pattern.Text),
		station.KeyHours: str(s.hours.Text), station.KeyLanguage: str(lang),
	})
}

func (s *settings) editProfile(p station.Profile) {
	s.pName.SetText(p.Name)
	s.pDevice.SetText(p.Device)
	s.pSource.SetSelectedIndex(slices.Index(scan.Sources, p.Settings.Source))
	s.pDPI.SetSelected(strconv.Itoa(p.Settings.DPI))
	s.pMode.SetSelectedIndex(slices.Index(scan.Modes, p.Settings.Mode))
	s.pSz.SetSelected(p.Settings.PageSize.Name)
}

// profileKey is the setting a profile is stored under; names are kept to
// what a setting key may hold.
func profileKey(name string) string {
	return "profile." + strings.Join(strings.Fields(name), " ")
}

func (s *settings) saveProfile() {
	tr := s.w.tr
	name := strings.TrimSpace(s.pName.Text)
	if name == "" {
		s.message.SetText(tr.T("set.profile_needs_name"))
		return
	}
	src, mode := s.pSource.SelectedIndex(), s.pMode.SelectedIndex()
	if src < 0 || mode < 0 || s.pDPI.Selected == "" || s.pSz.Selected == "" {
		s.message.SetText(tr.T("set.profile_incomplete"))
		return
	}
	value := fmt.Sprintf("%s %s %s %s %s", strings.TrimSpace(s.pDevice.Text), scan.Sources[src], s.pDPI.Selected, scan.Modes[mode], s.pSz.Selected)
	s.save(map[string]*string{profileKey(name): &value})
}

func (s *settings) deleteProfile() {
	name := strings.TrimSpace(s.pName.Text)
	if name == "" {
		return
	}
	s.save(map[string]*string{profileKey(name): nil})
}

func (s *settings) saveCleanup() {
	blank, deskew := "keep", "no"
	if s.blank.Checked {
		blank = "drop"
	}
	if s.deskew.Checked {
		deskew = "yes"
	}
	s.save(map[string]*string{station.KeyBlank: &blank, station.KeyDeskew: &deskew, station.KeySeparator: str(strings.TrimSpace(s.separator.Text))})
}

func (s *settings) savePrinter() {
	s.save(map[string]*string{
		station.KeyPrinter: str(strings.TrimSpace(s.printerURI.Text)), station.KeyPrinterLang: str(s.printLang.Selected),
		station.KeyLabelSize: str(strings.TrimSpace(s.labelSize.Text)), station.KeyLabelDPI: str(s.labelDPI.Selected),
		station.KeyReceiptPrint: str(strings.TrimSpace(s.receiptURI.Text)),
	})
}

// saveMail keeps the mailbox's settings, and its password when one was
// typed (empty: the one kept stays).
func (s *settings) saveMail() {
	if pw := s.mailPassword.Text; pw != "" {
		if err := s.w.st.Settings.SetMailPassword(pw); err != nil {
			s.message.Importance = widget.DangerImportance
			s.message.SetText(s.w.tr.T("set.not_saved", "Error", s.w.explain(err)))
			return
		}
	}
	s.save(map[string]*string{
		station.KeyMailHost: str(strings.TrimSpace(s.mailHost.Text)), station.KeyMailPort: str(strings.TrimSpace(s.mailPort.Text)),
		station.KeyMailSecurity: str(s.mailSecurity.Selected), station.KeyMailUser: str(strings.TrimSpace(s.mailUser.Text)),
		station.KeyMailInbox: str(strings.TrimSpace(s.mailInbox.Text)), station.KeyMailClaimed: str(strings.TrimSpace(s.mailClaimed.Text)),
		station.KeyMailDone: str(strings.TrimSpace(s.mailDone.Text)), station.KeyMailDiscarded: str(strings.TrimSpace(s.mailDiscarded.Text)),
	})
}

// testMail logs in to the mailbox as saved and says how it went.
func (s *settings) testMail() {
	s.message.Importance = widget.MediumImportance
	s.message.SetText(s.w.tr.T("mail.fetching"))
	background(s.w, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, s.w.st.Mail.Check(ctx)
	}, func(_ struct{}, err error) {
		if err != nil {
			s.message.Importance = widget.DangerImportance
			s.message.SetText(s.w.tr.T("set.mail_failed", "Error", s.w.explain(err)))
			return
		}
		s.message.Importance = widget.SuccessImportance
		s.message.SetText(s.w.tr.T("set.mail_ok"))
	})
}

// testPrint prints a sample sticker on the printer as typed (not yet
// saved), with the stored language and size.
func (s *settings) testPrint() {
	uri := strings.TrimSpace(s.printerURI.Text)
	background(s.w, func(ctx context.Context) ([]byte, error) {
		return s.w.st.Printing.TestPrint(ctx, uri)
	}, func(_ []byte, err error) {
		if err != nil {
			s.message.Importance = widget.DangerImportance
			s.message.SetText("⚠ " + s.w.tr.T("set.test_failed", "Error", s.w.explain(err)))
			return
		}
		s.message.Importance = widget.SuccessImportance
		s.message.SetText(s.w.tr.T("set.test_done", "Printer", uri))
	})
}

func (s *settings) enroll() {
	srv, tok := strings.TrimSpace(s.server.Text), strings.TrimSpace(s.token.Text)
	background(s.w, func(ctx context.Context) (wire.Whoami, error) {
		return s.w.st.Sync.Enroll(ctx, srv, tok)
	}, func(who wire.Whoami, err error) {
		if err != nil {
			s.message.Importance = widget.DangerImportance
			s.message.SetText(s.w.tr.T("set.enroll_failed", "Error", s.w.explain(err)))
			return
		}
		s.token.SetText("")
		s.message.Importance = widget.SuccessImportance
		s.message.SetText(s.w.tr.T("set.enroll_done", "Server", srv, "Office", who.Office, "Station", who.Station))
		s.enrolled.SetText(s.w.tr.T("set.enrolled", "Server", srv))
		s.w.st.Sync.Wake()
	})
}

// pairs reads lines of KEY=VALUE.
func pairs(text string) (map[string]string, error) {
	out := map[string]string{}
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return nil, fmt.Errorf("line %d: %q is not CODE=Name", i+1, line)
		}
		out[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return out, nil
}

func (s *settings) saveTerms() {
	changes := map[string]*string{}
	depts, err := pairs(s.depts.Text)
	if err == nil {
		var closures map[string]string
		if closures, err = pairs(s.closures.Text); err == nil {
			for code, name := range depts {
				changes["dept."+code] = str(name)
			}
			for code := range s.loadedDepts {
				if _, ok := depts[code]; !ok {
					changes["dept."+code] = nil
				}
			}
			for day, reason := range closures {
				changes["closure."+day] = str(reason)
			}
			for day := range s.loadedClose {
				if _, ok := closures[day]; !ok {
					changes["closure."+day] = nil
				}
			}
		}
	}
	if err != nil {
		s.message.Importance = widget.DangerImportance
		s.message.SetText(s.w.tr.T("set.not_saved", "Error", err.Error()))
		return
	}
	for _, r := range s.termRows {
		changes["term."+r.code] = str(strings.TrimSpace(r.days.Text))
		if name := strings.TrimSpace(r.name.Text); name != r.builtinName {
			changes["type."+r.code] = &name
		}
		switch dept := strings.TrimSpace(r.dept.Text); {
		case dept != "":
			changes["route."+r.code] = &dept
		case r.wasRouted:
			changes["route."+r.code] = nil
		}
	}
	s.save(changes)
}

// newForm lays out a form from pairs of message key and widget.
func newForm(tr *catalog, pairs ...any) *widget.Form {
	var items []*widget.FormItem
	for i := 0; i+1 < len(pairs); i += 2 {
		items = append(items, widget.NewFormItem(tr.T(pairs[i].(string)), pairs[i+1].(fyne.CanvasObject)))
	}
	return widget.NewForm(items...)
}
