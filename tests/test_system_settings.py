"""Each system's connection settings are their own prefetch group: a flow reads its connection
after every commit of a cycle, and would otherwise fetch the settings of every system installed."""

from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestSystemSettingsPrefetch(TransactionCase):
    def setUp(self):
        super().setUp()
        self.Backend = self.env["ml.connector.backend"]
        self.systems = {code for code, _label in self.Backend._fields["system_type"].selection}

    def _settings(self):
        """The stored settings of each system, by the system code their name starts with."""
        by_system = {}
        for name, field in self.Backend._fields.items():
            system = name.split("_", 1)[0]
            if system in self.systems and field.store and field.column_type:
                by_system.setdefault(system, []).append(field)
        return by_system

    def test_each_setting_in_its_system_group(self):
        settings = self._settings()
        self.assertGreaterEqual(set(settings), {"jaggaer", "sps", "jde", "fusion"})
        misplaced = [
            f"{field.name} ({field.prefetch!r})"
            for system, fields in settings.items()
            for field in fields
            if field.prefetch != system
        ]
        self.assertFalse(misplaced, "settings outside their system's prefetch group")

    def test_reading_a_connection_leaves_other_systems_settings_unread(self):
        jaggaer = self.Backend.create(
            {"name": "JAGGAER", "system_type": "jaggaer", "test_mode": True, "base_url": "http://127.0.0.1:9"}
        )
        self.env.invalidate_all()
        self.assertEqual(jaggaer.name, "JAGGAER")
        cache = self.env.cache
        for system, fields in self._settings().items():
            with self.subTest(system=system):
                self.assertFalse([field.name for field in fields if cache.contains(jaggaer, field)])
        # its own settings come together, with the first one read
        self.assertTrue(jaggaer.jaggaer_path_po_list)
        unread = [field.name for field in self._settings()["jaggaer"] if not cache.contains(jaggaer, field)]
        self.assertFalse(unread)
        self.assertFalse(cache.contains(jaggaer, self.Backend._fields["sps_out_folder"]))
