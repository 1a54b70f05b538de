"""Page objects for the console's browser tests: one small class per page.

They speak the language of the work (sign in, dispatch, take, feed back) so the
story test reads like the story; selectors live here, in one place.
"""

from pathlib import Path

from playwright.sync_api import Page, expect


class ConsolePage:
    path = "/console/"

    def __init__(self, page: Page, base_url: str):
        self.page, self.base_url = page, base_url

    def goto(self) -> "ConsolePage":
        self.page.goto(self.base_url + self.path)
        return self

    def sign_out(self) -> None:
        self.page.get_by_role("button", name="退出登录").click()
        expect(self.page.get_by_role("heading", name="登录工作台")).to_be_visible()

    def menu_count(self, label: str) -> str:
        return self.page.locator("nav.menu a", has_text=label).locator(".count").inner_text()

    def flash(self) -> str:
        return self.page.locator(".flash").inner_text()


class LoginPage(ConsolePage):
    path = "/console/login/"

    def sign_in(self, username: str, password: str = "correct-horse-battery") -> None:
        self.page.get_by_label("用户名").fill(username)
        self.page.get_by_label("密码").fill(password)
        self.page.get_by_role("button", name="登录").click()
        expect(self.page.locator(".who-name")).to_have_text(username)


class QueuePage(ConsolePage):
    def row(self, number: str):
        return self.page.locator(f"tr[data-number='{number}']")

    def open(self, number: str) -> "CasePage":
        self.row(number).get_by_role("link", name=number).click()
        return CasePage(self.page, self.base_url).loaded(number)


class IntakePage(QueuePage):
    path = "/console/intake/"

    def wait_for(self, number: str) -> None:
        # No reload: the rows are polled by htmx every 10 seconds.
        expect(self.row(number)).to_be_visible(timeout=25_000)

    def open_selected_with_keyboard(self) -> "CasePage":
        self.page.keyboard.press("j")
        self.page.keyboard.press("k")
        self.page.keyboard.press("Enter")
        return CasePage(self.page, self.base_url)


class DispatchPage(QueuePage):
    path = "/console/dispatch/"

    def suggested(self, number: str) -> str:
        return self.row(number).locator("select[name=department] option:checked").inner_text()

    def dispatch(self, number: str, department: str) -> None:
        row = self.row(number)
        row.locator("select[name=department]").select_option(label=department)
        row.get_by_role("button", name="派遣").click()


class DepartmentPage(QueuePage):
    path = "/console/department/"

    def take(self, number: str) -> None:
        self.row(number).get_by_role("button", name="签收").click()


class LeadPage(QueuePage):
    path = "/console/lead/"

    def close(self, number: str) -> None:
        self.row(number).get_by_role("button", name="结案").click()


class VerifyPage(ConsolePage):
    path = "/console/verify/"

    def open(self, number: str) -> "CasePage":
        self.page.locator(".card-link", has_text=number).click()
        return CasePage(self.page, self.base_url).loaded(number)


class CasePage(ConsolePage):
    def loaded(self, number: str) -> "CasePage":
        # The page's scripts (file names, 常用语, keys) must run before we use its forms.
        expect(self.page.locator(".case-head .number")).to_have_text(number)
        self.page.wait_for_load_state("load")
        return self

    def goto_case(self, number: str) -> "CasePage":
        self.page.goto(f"{self.base_url}/console/cases/{number}/")
        return self

    def state(self) -> str:
        return self.page.locator(".case-head .state").inner_text()

    def actions(self) -> list[str]:
        return self.page.locator("details.action > summary").all_inner_texts()

    def form(self, action: str):
        form = self.page.locator(f"form[data-action='{action}']")
        details = self.page.locator(f"#action-{action}")
        if details.get_attribute("open") is None:
            details.locator("summary").click()
        return form

    def use_phrase(self, action: str, index: int = 0) -> None:
        self.form(action).locator(".chip").nth(index).click()

    def choose(self, action: str, field: str, label: str) -> None:
        self.form(action).locator(f"select[name={field}]").select_option(label=label)

    def attach(self, action: str, photo: Path) -> None:
        self.form(action).locator("input[type=file]").set_input_files(str(photo))

    def submit(self, action: str) -> None:
        self.form(action).locator("button[type=submit]").click()

    def timeline(self) -> list[str]:
        return self.page.locator(".timeline .ev-head strong").all_inner_texts()

    def photo_count(self) -> int:
        return self.page.locator(".photo-groups .photo-card > a > img").count()
