import { registry } from "@web/core/registry";

// An administrator tests a connection, finds the failed document from the connection's
// smart button, reads why it failed and replays it once the source is fixed.
registry.category("web_tour.tours").add("ml_connector_admin_tour", {
    steps: () => [
        {
            content: "The connection form shows the connection",
            trigger: ".o_form_view div[name=name] input:value(\"Tour connection\")",
        },
        {
            content: "Test the connection",
            trigger: "button[name=action_test_connection]",
            run: "click",
        },
        {
            content: "The remote answered",
            trigger: ".o_notification:contains(Connection works)",
        },
        {
            content: "Open the documents that need attention",
            trigger: ".oe_stat_button:contains(Failed)",
            run: "click",
        },
        {
            content: "Open the failed document",
            trigger: ".o_data_row:contains(MLCT-TOUR-000) .o_data_cell[name=name]",
            run: "click",
        },
        {
            content: "The reason is shown",
            trigger: ".alert-danger:contains(marked broken)",
        },
        {
            content: "Replay it",
            trigger: ".o_form_statusbar button[name=action_replay]",
            run: "click",
        },
        {
            content: "It went through",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains(Done)",
        },
    ],
});

// From the overview to a failed document: why it failed, what a replay would send, the replay and
// its result.
registry.category("web_tour.tours").add("ml_connector_failed_line_tour", {
    steps: () => [
        {
            content: "The top bar counts the failed documents",
            trigger: ".o_ml_connector_failures .o_ml_connector_failures_count:contains(1)",
        },
        {
            content: "The overview shows the connection failing, with the reason",
            trigger: ".o_ml_connector_overview .o_kanban_record:contains(Tour connection):contains(Failing):contains(1 document(s) failed)",
        },
        {
            content: "Open its failed documents",
            trigger: ".o_kanban_record:contains(Tour connection) button[name=action_open_failed]",
            run: "click",
        },
        {
            content: "The list shows the failed document with its message",
            trigger: ".o_data_row:contains(MLCT-TOUR-000):contains(marked broken) .o_data_cell[name=name]",
            run: "click",
        },
        {
            content: "The reason is shown on the document",
            trigger: ".alert-danger:contains(marked broken)",
        },
        {
            content: "Ask what a replay would send",
            trigger: ".o_form_statusbar button[name=action_dry_run]",
            run: "click",
        },
        {
            content: "Nothing was sent; the dry run says what would be",
            trigger: ".modal:contains(Nothing was sent):contains(A replay would send POST)",
        },
        {
            content: "The document as it would be sent now",
            trigger: ".modal .o_notebook a:contains(Would send now)",
            run: "click",
        },
        {
            content: "It holds the partner",
            trigger: ".modal .o_field_widget[name=would_send]:contains(MLCT-TOUR-000)",
        },
        {
            content: "Replay it now",
            trigger: ".modal button[name=action_replay]",
            run: "click",
        },
        {
            content: "The result is told",
            trigger: ".o_notification:contains(Replay of):contains(Done)",
        },
        {
            content: "The document is done",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains(Done)",
        },
        {
            content: "Both attempts are kept",
            trigger: ".o_notebook a:contains(Attempts)",
            run: "click",
        },
        {
            content: "The replay is the second attempt, the first one failed",
            trigger: ".o_field_widget[name=attempt_ids] .o_data_row:contains(Replay):contains(Done) ~ .o_data_row:contains(Failed)",
        },
    ],
});

// A person decides a review item: the waiting document goes through at once.
registry.category("web_tour.tours").add("ml_connector_review_tour", {
    steps: () => [
        {
            content: "The queue lists the decision with its reason",
            trigger: ".o_data_row:contains(Northwind Scientifics Ltd):contains(similar name) .o_data_cell[name=name]",
            run: "click",
        },
        {
            content: "The candidate says how it was found",
            trigger: ".o_field_widget[name=candidate_ids] .o_data_row:contains(Northwind Scientific):contains(Similar name)",
        },
        {
            content: "Choose it",
            trigger: ".o_field_widget[name=candidate_ids] .o_data_row button[name=action_choose]",
            run: "click",
        },
        {
            content: "The decision processed the waiting document",
            trigger: ".o_notification:contains(Approved):contains(Done: Item ORD-1)",
        },
        {
            content: "The review is approved",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains(Approved)",
        },
    ],
});

// Settings > Connectors: the encryption key's status, the legal retention and who is told.
registry.category("web_tour.tours").add("ml_connector_settings_tour", {
    steps: () => [
        {
            content: "The key is set and the stored credentials decrypt",
            trigger: "#ml_connector_key:contains(stored credentials are encrypted with it and decrypt)",
        },
        {
            content: "Keep finished documents seven years",
            trigger: "#ml_connector_retention input",
            run: "edit 7",
        },
        {
            content: "Alerts as one message per check",
            trigger: "#ml_connector_alert_users input[data-value=digest]",
            run: "click",
        },
        {
            content: "Save",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "Saved: the settings reloaded with the new values",
            trigger: ".o-settings-form-view:not(:has(.o_dirty_warning)) #ml_connector_retention input:value(7)",
        },
    ],
});
