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
