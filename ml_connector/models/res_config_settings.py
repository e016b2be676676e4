from odoo import api, fields, models
from odoo.tools import config

from ..tools.vault import Vault, VaultError


class ResCompany(models.Model):
    _inherit = "res.company"

    ml_connector_alert_user_ids = fields.Many2many(
        "res.users",
        "ml_connector_alert_user_rel",
        "company_id",
        "user_id",
        string="Connector alerts to",
        help="Who is told when documents fail, review items open or a connection stalls. Empty: every "
        "connector manager.",
    )


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    ml_connector_key_status = fields.Char("Encryption key", compute="_compute_ml_connector_key_status")
    ml_connector_key_ok = fields.Boolean(compute="_compute_ml_connector_key_status")
    ml_connector_interval_number = fields.Integer(
        "Run every",
        config_parameter="ml_connector.default_interval_number",
        default=15,
        help="Schedule of new connections.",
    )
    ml_connector_interval_type = fields.Selection(
        [("minutes", "Minutes"), ("hours", "Hours"), ("days", "Days")],
        "Unit",
        config_parameter="ml_connector.default_interval_type",
        default="minutes",
    )
    ml_connector_retention_years = fields.Integer(
        "Legal retention (years)",
        config_parameter="ml_connector.retention_years",
        default=10,
        help="Finished audit lines, their payloads and runs are kept this long unless a connection sets "
        "shorter periods. 0: kept forever.",
    )
    ml_connector_alert_mode = fields.Selection(
        [
            ("activity", "An activity per person, updated while it is open"),
            ("digest", "A message to them, once per check"),
            ("none", "Nobody is told"),
        ],
        "How they are told",
        config_parameter="ml_connector.alert_mode",
        default="activity",
    )
    ml_connector_alert_user_ids = fields.Many2many(
        related="company_id.ml_connector_alert_user_ids", readonly=False
    )

    @api.depends("company_id")
    def _compute_ml_connector_key_status(self):
        status, ok = self._ml_connector_key_check()
        for settings in self:
            settings.ml_connector_key_status = status
            settings.ml_connector_key_ok = ok

    @api.model
    def _ml_connector_key_check(self):
        """(what the admin reads about the encryption key, whether credentials can be used)."""
        try:
            vault = Vault.from_settings(config.get("ml_connector_key"))
        except VaultError as exc:
            return str(exc), False
        secrets = self.env["ml.connector.secret"].sudo().search([("name", "not like", "token:%")])
        unreadable = 0
        for secret in secrets:
            try:
                vault.decrypt(secret.ciphertext)
            except VaultError:
                unreadable += 1
        if unreadable:
            return self.env._(
                "Set, but %(n)s of %(total)s stored credentials cannot be decrypted with it: the key "
                "changed. Enter those credentials again, or add the old key after the new one.",
                n=unreadable,
                total=len(secrets),
            ), False
        status = self.env._("Set: %s stored credentials are encrypted with it and decrypt.", len(secrets))
        if vault.key_count > 1:
            status += " " + self.env._(
                "%s keys: the first encrypts, all decrypt (rotation).", vault.key_count
            )
        return status, True

    @api.constrains("ml_connector_retention_years", "ml_connector_interval_number")
    def _check_ml_connector_values(self):
        for settings in self:
            if settings.ml_connector_retention_years < 0 or settings.ml_connector_interval_number < 1:
                raise models.ValidationError(
                    self.env._("The retention is a number of years (0: forever); the schedule at least 1.")
                )
