from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .common import SpsCase


@tagged("post_install", "-at_install")
class TestTradingPartnerRules(SpsCase):
    def test_connector_users_read_managers_configure(self):
        user = new_test_user(self.env, "sps_user", groups="ml_connector.group_ml_connector_user")
        manager = new_test_user(self.env, "sps_manager", groups="ml_connector.group_ml_connector_manager")
        employee = new_test_user(self.env, "sps_employee", groups="base.group_user")
        self.assertEqual(self.tp_acme.with_user(user).tpid, "7ZQALLACMEWIDGT")
        with self.assertRaises(AccessError):
            self.tp_acme.with_user(user).write({"send_850": False})
        with self.assertRaises(AccessError):
            self.tp_acme.with_user(employee).read(["tpid"])
        self.tp_acme.with_user(manager).write({"vendor_number": "V-1"})
        self.assertEqual(self.tp_acme.vendor_number, "V-1")

    def test_trading_partners_stay_in_their_company(self):
        other = self.env["res.company"].create({"name": "Other company"})
        user = new_test_user(
            self.env,
            "sps_other",
            groups="ml_connector.group_ml_connector_manager",
            company_id=other.id,
            company_ids=[other.id],
        )
        Partner = self.env["ml.connector.sps.partner"].with_user(user)
        self.assertFalse(Partner.search([("backend_id", "=", self.backend.id)]))

    def test_tpid_and_partner_are_unique_per_connection_and_checked(self):
        with self.assertRaisesRegex(ValidationError, "1 to 15 characters"):
            self.tp_acme.tpid = "X" * 16
        with self.assertRaisesRegex(ValidationError, "not one of its contacts"):
            contact = self.env["res.partner"].create({"name": "Pat", "parent_id": self.acme.id})
            self.tp_acme.partner_id = contact
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"), self.env.cr.savepoint():
            self.env["ml.connector.sps.partner"].create(
                {"backend_id": self.backend.id, "tpid": "7ZQALLACMEWIDGT", "partner_id": self.northwind.id}
            )
        short = self.env["ml.connector.sps.partner"].create(
            {
                "backend_id": self.backend.id,
                "tpid": "SPSALLTESTID",
                "partner_id": self.env["res.partner"].create({"name": "Sandbox", "is_company": True}).id,
            }
        )
        self.assertTrue(short.send_850 and short.receive_855, "a vendor's usual documents by default")
