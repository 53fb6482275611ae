package main

// commands are the command line's commands, in the order the usage lists
// them. Each command's flags are described by its args here, found by
// name (argsOf). They are set in one init, here: a command's function
// refers back to the list for its usage.
var commands []command

func init() {
	commands = []command{
		{"radicar", "--kind K --type T --sender NAME [--sender-id TYPE:NUMBER] [--sender-email ADDR] --subject TEXT [--dept CODE] " +
			"[--answers NUM[,NUM…] --to-name NAME --to-address ADDR --to-city CITY [--to-email ADDR] [--channel fisico|email|ambos]] [--json] FILE… | --mail ID [--type T …]",
			"give a letter its number, storing its files (JPEG, PNG, TIFF, PDF), or a held e-mail message with its original and attachments", cmdRadicar},
		{"anular", "NUMBER --reason TEXT [--json]", "annul a number, with a written reason (it is kept, never deleted)", cmdAnular},
		{"show", "NUMBER [--json]", "show one radicado", cmdShow},
		{"list", "[--day YYYY-MM-DD] [--status active|annulled] [--limit N] [--json]", "list radicados, newest first", cmdList},
		{"search", "TEXT [--limit N] [--json]", "find radicados by any word of their number, sender, subject or content", cmdSearch},
		{"verify", "[--anchor HASH] [--server] [--json]", "check the audit chain, the database and every file (against an anchor printed on a planilla, or the server's); exit 1 on any problem", cmdVerify},
		{"due", "--from YYYY-MM-DD (--days N | --type T)", "the due date of a term in business days", cmdDue},
		{"holidays", "[--year YYYY] [--json]", "the public holidays and extra non-working days of a year", cmdHolidays},
		{"config", "[--json] | set KEY VALUE… | unset KEY…", "show or change the station's settings", cmdConfig},
		{"ocr", "[--json] FILE…", "read a document's pages: text, fields, type and department", cmdOCR},
		{"read", "[--json]", "read the pages of the radicados still waiting to be read", cmdRead},
		{"eval", "--corpus DIR [--json]", "score OCR, fields and types against letters with ground truth", cmdEval},
		{"version", "", "versions of the program and its engines, and how OCR runs", cmdVersion},
		{"label", "NUMBER [--shipping] [--format zpl|epl|tspl|png|pdf] [--size 50x25mm] [--dpi 203] [--copies N] [--printer URI] [--out FILE]",
			"print a radicado's sticker, or write it to a file", cmdLabel},
		{"receipt", "NUMBER [--format pdf|png|zpl|epl|tspl] [--printer URI] [--out FILE]",
			"print the acuse de recibo, or write it to a file", cmdReceipt},
		{"prints", "[--retry] [--cancel ID] [--json]", "the print queue: jobs waiting for a printer", cmdPrints},
		{"devices", "[--json]", "list the scanners found (SANE, network eSCL, TWAIN)", cmdDevices},
		{"scan", "--device URI [--source adf|duplex|flatbed] [--dpi N] [--mode gray|bw|color] [--size carta] --out DIR [--blank] [--deskew] [--separator TEXT] [--json]",
			"scan a batch into a folder, a file per page (devices: sane:test, escl:URL, file:PATH…)", cmdScan},
		{"escl-sim", "[--listen ADDR] [--sheets N] [--announce]", "run the network scanner simulator, for demonstrations without hardware", cmdESCLSim},
		{"mail", "fetch [--limit N] [--json] | list [--all] [--json] | import FILE.eml… [--json] | discard ID --reason TEXT | password [FILE]",
			"the e-mail the ventanilla takes in: claim new messages from the mailbox, list those waiting, import .eml files, discard what is not correspondence", cmdMail},
		{"despacho", "new --courier NAME [--service S] [--to-address A --to-city C [--to-name N]] NUM… [--json] | guide NUM GUIDE | guides FILE.csv [--map number=COL,guide=COL] | close ID [--out FILE] [--format pdf|csv] | " +
			"results FILE.csv [--map guide=COL,state=COL,reason=COL,date=COL] | delivered NUM [--on DAY] | return [NUM] --reason TEXT [SCAN…] | list [--json]",
			"send salidas out by courier: dispatches, guide numbers, the planilla, deliveries and returns", cmdDespacho},
		{"enroll", "--server URL --token TOKEN", "enrol this station with the central server", cmdEnroll},
		{"sync", "[--server URL] [--day-end [--day YYYY-MM-DD]] [--json]", "send the radicados waiting for the central server", cmdSync},
		{"planilla", "--day YYYY-MM-DD [--format pdf|csv] [--out FILE] [--from-server]", "the day's control sheet, by department", cmdPlanilla},
		{"cierre", "[--day YYYY-MM-DD] [--json]", "close a day as the desktop's Cierre del día does: the planilla in planillas/, with the audit anchor, and the server's check", cmdCierre},
	}
}

// argsOf gives the flags and arguments a command takes, as its usage says.
func argsOf(name string) string {
	for _, c := range commands {
		if c.name == name {
			return c.args
		}
	}
	panic("no command " + name)
}
